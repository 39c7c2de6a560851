using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace CredentialService.Tests.KeyCustody;

/// <summary>Outside Development the key ring must be encrypted at rest, unless the operator opts out loudly (docs/api.md §Secrets at rest).</summary>
public sealed class KeyRingProtectionGuardTests : KeyRingTest
{
    private const string Production = "Production";

    [Fact]
    public void Outside_development_the_service_refuses_to_start_without_a_certificate_and_names_the_setting()
    {
        var failure = Record.Exception(() => World.StartHost(environment: Production));

        Assert.NotNull(failure);
        Assert.Contains(
            "The data-protection key ring must be encrypted at rest outside Development: set 'DataProtection:Certificate:Path' " +
            "(with 'DataProtection:Certificate:Password' or 'DataProtection:Certificate:KeyPath'), or set " +
            "'DataProtection:AllowUnprotectedKeyRing=true' to run with an unencrypted key ring.",
            MessagesOf(failure), StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_setting_that_names_no_readable_file_stops_the_start_and_names_the_setting()
    {
        var current = World.NewCertificate("ring-current");
        var settings = current.AsCurrent();
        settings["DataProtection:PreviousCertificates:0:Path"] = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.pfx");

        var failure = Record.Exception(() => World.StartHost(settings, Production));

        Assert.NotNull(failure);
        Assert.Contains("'DataProtection:PreviousCertificates:0:Path' names no readable certificate file", MessagesOf(failure), StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_certificate_password_stops_the_start_and_names_the_setting()
    {
        var current = World.NewCertificate("ring-current");
        var settings = current.AsCurrent();
        settings["DataProtection:Certificate:Password"] = "not-the-password";

        var failure = Record.Exception(() => World.StartHost(settings, Production));

        Assert.NotNull(failure);
        Assert.Contains("DataProtection:Certificate", MessagesOf(failure), StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_file_without_its_private_key_stops_the_start_and_names_the_setting()
    {
        var current = World.NewCertificate("ring-public-only");
        using var publicOnly = X509Certificate2.CreateFromPem(File.ReadAllText(current.PemPath));
        Assert.False(publicOnly.HasPrivateKey);
        var path = Path.Combine(Path.GetDirectoryName(current.Path)!, "ring-public-only-no-key.pfx");
        File.WriteAllBytes(path, publicOnly.Export(X509ContentType.Pfx, current.Password));
        var settings = current.AsCurrent();
        settings["DataProtection:Certificate:Path"] = path;

        var failure = Record.Exception(() => World.StartHost(settings, Production));

        Assert.NotNull(failure);
        Assert.Contains("The certificate at 'DataProtection:Certificate:Path' has no private key.", MessagesOf(failure), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_AllowUnprotectedKeyRing_it_starts_outside_development_and_warns_at_every_start()
    {
        var optOut = new Dictionary<string, string?> { ["DataProtection:AllowUnprotectedKeyRing"] = "true" };
        var host = World.StartHost(optOut, Production);
        var (status, _) = await host.Readiness();
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(host.Logs.Lines, IsUnprotectedWarning);
        Assert.Contains(await World.KeyRingRows(), row => row.Xml.Contains("<masterKey", StringComparison.Ordinal));
        await host.DisposeAsync();

        host = World.StartHost(optOut, Production);
        Assert.Contains(host.Logs.Lines, IsUnprotectedWarning);
    }

    [Fact]
    public async Task With_a_certificate_there_is_no_unprotected_warning()
    {
        var host = World.StartHost(World.NewCertificate("ring").AsCurrent(), Production);
        var (status, _) = await host.Readiness();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain(host.Logs.Lines, IsUnprotectedWarning);
    }

    private static bool IsUnprotectedWarning(string line) =>
        line.StartsWith("Warning ", StringComparison.Ordinal) && line.Contains("NOT encrypted at rest", StringComparison.Ordinal);

    private static string MessagesOf(Exception exception)
    {
        var messages = new List<string>();
        for (var ex = exception; ex is not null; ex = ex.InnerException) messages.Add(ex.Message);
        if (exception is AggregateException aggregate) messages.AddRange(aggregate.InnerExceptions.Select(e => e.Message));
        return string.Join(" | ", messages);
    }
}
