using CredentialService.FakeCustomerIo;
using CredentialService.Tests.Infrastructure;

namespace CredentialService.Tests;

/// <summary>A missing or wrong setting stops the process at start with a message that names the key.</summary>
public sealed class StartupTests : IsolatedServiceTest
{
    [Theory]
    [InlineData("ConnectionStrings:Credentials", "", "ConnectionStrings:Credentials")]
    [InlineData("CustomerIo:Regions:eu:BaseUrl", "api-eu.customer.io", "CustomerIo:Regions:us:BaseUrl and CustomerIo:Regions:eu:BaseUrl")]
    [InlineData("CustomerIo:TimeoutSeconds", "0", "TimeoutSeconds")]
    [InlineData("RateLimiting:TestsPerSecondPerTenant", "0", "RateLimiting:TestsPerSecondPerTenant")]
    // docker compose with USER_JWTS_SIGNING_KEY unset passes an empty key: it used to start, then answer every
    // request (even /health/live) with 500.
    [InlineData("Authentication:Schemes:Bearer:SigningKeys:0:Value", "", "Authentication:Schemes:Bearer:SigningKeys:0:Value")]
    [InlineData("Proxy:RequestsPerSecondPerCredential", "0", "Proxy:RequestsPerSecondPerCredential")]
    [InlineData("Proxy:MaxQueueSeconds", "-1", "Proxy:MaxQueueSeconds")]
    [InlineData("Proxy:MaxRetryAfterSeconds", "-1", "Proxy:MaxRetryAfterSeconds")]
    [InlineData("Proxy:TimeoutSeconds", "0", "Proxy:TimeoutSeconds")]
    [InlineData("Proxy:MaxRequestBytes", "0", "Proxy:MaxRequestBytes")]
    [InlineData("Proxy:KeyCacheSeconds", "-1", "Proxy:KeyCacheSeconds")]
    public async Task A_bad_setting_stops_the_start_naming_the_key(string key, string value, string named)
    {
        var (_, error) = StartOrError(new Dictionary<string, string?> { [key] = value });
        Assert.NotNull(error);
        Assert.Contains(named, error.GetBaseException().Message + error.Message);
    }

    [Theory]
    [InlineData(2048, true)]
    [InlineData(2049, false)]
    public async Task A_bad_setting_stops_the_start_also_for_a_base_url_over_2048_characters(int length, bool starts)
    {
        const string Base = "https://api.customer.io/";
        var (_, error) = StartOrError(new Dictionary<string, string?> { ["CustomerIo:Regions:us:BaseUrl"] = Base + new string('a', length - Base.Length) });
        if (starts)
        {
            Assert.Null(error);
            return;
        }

        Assert.NotNull(error);
        Assert.Contains("CustomerIo:Regions:us:BaseUrl and CustomerIo:Regions:eu:BaseUrl", error.GetBaseException().Message + error.Message);
    }
}
