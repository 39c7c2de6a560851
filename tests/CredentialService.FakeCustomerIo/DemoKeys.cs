namespace CredentialService.FakeCustomerIo;

/// <summary>
/// The demo keys of <c>scripts/run.sh --demo</c>: one per verdict, so a newcomer without a real key (or without
/// internet) sees each outcome of a connection test. Any other key is unknown to both regions (invalid_key).
/// </summary>
public static class DemoKeys
{
    public const string Ok = "demo_key_ok";
    public const string EuOnly = "demo_key_eu_only";
    public const string RedirectToEu = "demo_key_redirect_to_eu";
    public const string Forbidden = "demo_key_forbidden";
    public const string RateLimited = "demo_key_rate_limited";
    public const string UpstreamError = "demo_key_upstream_error";
    public const string Timeout = "demo_key_timeout";

    /// <summary>(key, what to choose, the verdict it gives) — printed at start and listed in the README.</summary>
    public static readonly (string Key, string Region, string Outcome)[] Table =
    [
        (Ok, "us", "ok"),
        (EuOnly, "eu", "ok (eu)"),
        (EuOnly, "us", "wrong_region (401 in us, 200 in eu)"),
        (RedirectToEu, "us", "wrong_region (301 to the eu host, 'wrong datacenter')"),
        ("any_other_key", "us or eu", "invalid_key"),
        (Forbidden, "us", "forbidden"),
        (RateLimited, "us", "rate_limited (Retry-After: 30)"),
        (UpstreamError, "us", "upstream_error (503)"),
        (Timeout, "us", "timeout (answers after 60 s)"),
    ];

    /// <summary>Programs the two regions' fakes with the demo keys.</summary>
    public static void Program(FakeCustomerIoServer us, FakeCustomerIoServer eu, Uri euBaseUrl)
    {
        foreach (var region in new[] { us, eu })
        {
            region.Respond(Forbidden, new FakeReply(403, """{"errors":[{"detail":"forbidden","status":"403"}]}"""));
            region.Respond(RateLimited, new FakeReply(429, """{"errors":[{"detail":"rate limited","status":"429"}]}""",
                new Dictionary<string, string> { ["Retry-After"] = "30" }));
            region.Respond(UpstreamError, new FakeReply(503, """{"errors":[{"detail":"service unavailable","status":"503"}]}"""));
            region.Respond(Timeout, FakeReply.Ok() with { Delay = TimeSpan.FromSeconds(60) });
        }

        us.Respond(Ok, FakeReply.Ok());
        eu.Respond(EuOnly, FakeReply.Ok());
        us.Respond(RedirectToEu, new FakeReply(301, """{"meta":{"error":"wrong datacenter"}}""",
            new Dictionary<string, string> { ["Location"] = new Uri(euBaseUrl, "v1/workspaces").ToString() }));
    }
}
