namespace CredentialService.Verification;

/// <summary>Scheduled verification (configuration section <c>Verification</c>).</summary>
public sealed class VerificationOptions
{
    public const string Section = "Verification";

    /// <summary>Every stored credential is tested again within this many hours; decimals allowed; 0 turns it off.</summary>
    public double IntervalHours { get; set; } = 24;

    /// <summary>At most this many scheduled tests per second, per instance.</summary>
    public double TestsPerSecond { get; set; } = 1;

    public bool Enabled => IntervalHours > 0;

    public TimeSpan Interval => TimeSpan.FromHours(IntervalHours);

    public static bool IsValid(VerificationOptions o) =>
        double.IsFinite(o.IntervalHours) && o.IntervalHours is >= 0 and <= 24 * 366
        && double.IsFinite(o.TestsPerSecond) && o.TestsPerSecond is > 0 and <= 100;
}
