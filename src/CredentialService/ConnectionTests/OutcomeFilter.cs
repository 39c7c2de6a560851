namespace CredentialService.ConnectionTests;

/// <summary>Values of the list's <c>lastOutcome</c> filter: an outcome, or <c>untested</c> (no lastTest).</summary>
public static class OutcomeFilter
{
    public const string Untested = "untested";

    public static readonly string[] Outcomes =
    [
        TestOutcome.Ok, TestOutcome.InvalidKey, TestOutcome.WrongRegion, TestOutcome.Forbidden, TestOutcome.RateLimited,
        TestOutcome.UpstreamError, TestOutcome.Timeout, TestOutcome.Unreachable,
    ];

    public static string AllowedValues => string.Join(", ", Outcomes) + ", " + Untested;

    public static bool IsValid(string value) => value == Untested || Outcomes.Contains(value);
}
