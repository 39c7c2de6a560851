using CredentialService.ConnectionTests;
using CredentialService.Credentials;
using CredentialService.Infrastructure;
using CredentialService.RuntimeAccess;

namespace CredentialService.Tests;

/// <summary>Objects that carry a plaintext key print at most its last four characters, so a careless log line cannot leak it.</summary>
public sealed class PrintingTests
{
    private const string Key = "0123456789abcdef0123456789abc3f9";

    public static TheoryData<object> Carriers => new()
    {
        new CreateCredentialRequest("n", "d", Key, "us"),
        new UpdateCredentialRequest { AppApiKey = new PatchField<string?>(true, Key), Name = new PatchField<string?>(true, "n") },
        new TestKeyRequest(Key, "eu"),
        new CredentialSecret(Key, "us", "https://api.customer.io"),
        AppApiKey.FromValidated(Key),
        new PatchField<string?>(true, Key),
        new CreateCredentialRequest("n", "d", Key, "us").Parse(),
        new UpdateCredentialRequest { AppApiKey = new PatchField<string?>(true, Key) }.Parse(),
    };

    [Theory]
    [MemberData(nameof(Carriers))]
    public void Printing_shows_at_most_the_last_four(object carrier)
    {
        var printed = carrier.ToString()!;
        Assert.DoesNotContain(Key, printed);
        Assert.DoesNotContain(Key[..8], printed);
    }

    [Theory]
    [InlineData("         ")]
    [InlineData("  short   ")]
    [InlineData("k")]
    public void A_key_too_short_to_spare_four_characters_prints_nothing_of_it(string key)
    {
        Assert.Contains("AppApiKey = [redacted],", new CreateCredentialRequest("n", null, key, null).ToString());
        Assert.Equal("[redacted]", Redacted.Key(key));
    }

    [Fact]
    public void Non_secret_fields_still_print()
    {
        Assert.Equal("TestKeyRequest { AppApiKey = [redacted …c3f9], Region = eu }", new TestKeyRequest(Key, "eu").ToString());
        Assert.Contains("c3f9", new CreateCredentialRequest("n", null, Key, null).ToString());
    }
}
