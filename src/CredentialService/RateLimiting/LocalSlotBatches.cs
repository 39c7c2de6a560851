using System.Collections.Concurrent;
using System.Diagnostics;

namespace CredentialService.RateLimiting;

/// <summary>
/// Slots of shared buckets taken a batch at a time and handed out by this instance, so a busy bucket costs one
/// database statement per <see cref="SizeFor">batch</see> of requests instead of one per request. A batch is taken
/// only when the shared bucket can grant all of it at once (no wait), so the instances together never get more than
/// the shared limit grants; slots not used within the time the batch stands for (size × interval) are dropped. The
/// cost: an instance may hold up to a batch − 1 slots that another instance could have used, and a batch's slots
/// may be used up to that long after the bucket counted them. Only for limits whose burst is at least 20 (batch =
/// burst / 10), and only for policies that ask for it (the per-tenant list and write limits), never for the proxy,
/// whose pauses (Customer.io's 429s) must stop every grant at once.
/// </summary>
public sealed class LocalSlotBatches
{
    private readonly ConcurrentDictionary<string, Slots> buckets = new(StringComparer.Ordinal);

    /// <summary>Slots per batch for <paramref name="limit"/>; 1 (no batching) below a burst of 20.</summary>
    public static int SizeFor(RateLimit limit) => limit.Burst >= 20 ? limit.Burst / 10 : 1;

    /// <summary>Takes a local slot. False: none left; then <paramref name="refill"/> says this caller should take the next batch.</summary>
    public bool TryTake(string bucketKey, out bool refill)
    {
        var slots = buckets.GetOrAdd(bucketKey, static _ => new Slots());
        var now = Stopwatch.GetTimestamp();
        lock (slots)
        {
            if (slots.Remaining > 0 && now < slots.ValidUntil)
            {
                slots.Remaining--;
                refill = false;
                return true;
            }

            // One refill at a time per bucket (the others take single slots meanwhile): concurrent refills would each
            // reserve a whole batch for one request.
            refill = !slots.Refilling && now >= slots.NoBatchUntil;
            if (refill) slots.Refilling = true;
            return false;
        }
    }

    /// <summary>The refill's outcome: <paramref name="taken"/> slots (one already used by the caller) or none.</summary>
    public void Refilled(string bucketKey, RateLimit limit, int taken)
    {
        var slots = buckets[bucketKey];
        var now = Stopwatch.GetTimestamp();
        var span = (long)(limit.Interval.TotalSeconds * Math.Max(1, taken) * Stopwatch.Frequency);
        lock (slots)
        {
            slots.Refilling = false;
            if (taken > 0)
            {
                slots.Remaining = taken - 1;
                slots.ValidUntil = now + span;
            }
            else
            {
                // The bucket could not grant a batch at once: near its limit, take single slots for a while.
                slots.NoBatchUntil = now + (long)(limit.Interval.TotalSeconds * SizeFor(limit) * Stopwatch.Frequency);
            }
        }
    }

    private sealed class Slots
    {
        public int Remaining;
        public long ValidUntil;
        public long NoBatchUntil;
        public bool Refilling;
    }
}
