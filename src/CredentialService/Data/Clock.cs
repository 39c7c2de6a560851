namespace CredentialService.Data;

public static class Clock
{
    /// <summary>Now, in UTC, at Postgres' timestamp precision (microseconds), so a write answers what a read returns.</summary>
    public static DateTime UtcNowForDatabase(this TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % 10));
    }
}
