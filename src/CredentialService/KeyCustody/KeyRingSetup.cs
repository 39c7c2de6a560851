using System.Security.Cryptography.X509Certificates;
using CredentialService.Data;
using Microsoft.AspNetCore.DataProtection;

namespace CredentialService.KeyCustody;

public sealed class CertificateOptions
{
    public string? Path { get; set; }
    public string? Password { get; set; }

    /// <summary>A PEM private key file, for a PEM certificate at <see cref="Path"/>.</summary>
    public string? KeyPath { get; set; }
}

public sealed class KeyRingOptions
{
    public string ApplicationName { get; set; } = "CredentialService";
    public CertificateOptions Certificate { get; set; } = new();
    public List<CertificateOptions> PreviousCertificates { get; set; } = [];
    public bool AllowUnprotectedKeyRing { get; set; }
}

/// <summary>
/// DataProtection with its key ring in Postgres, shared by every instance, and encrypted at rest with an X.509
/// certificate (docs/api.md §Secrets at rest). Outside Development a missing certificate stops the process unless the operator
/// opted out explicitly.
/// </summary>
public static class KeyRingSetup
{
    public const string Section = "DataProtection";

    public static IHostApplicationBuilder AddKeyRing(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(Section).Get<KeyRingOptions>() ?? new KeyRingOptions();
        var dataProtection = builder.Services.AddDataProtection()
            .SetApplicationName(options.ApplicationName)
            .PersistKeysToDbContext<CredentialsDbContext>();

        if (!string.IsNullOrWhiteSpace(options.Certificate.Path))
        {
            var current = Load(options.Certificate, $"{Section}:Certificate");
            var previous = options.PreviousCertificates
                .Select((c, i) => Load(c, $"{Section}:PreviousCertificates:{i}"));
            dataProtection.ProtectKeysWithCertificate(current)
                .UnprotectKeysWithAnyCertificate([current, .. previous]);
        }
        else if (!builder.Environment.IsDevelopment() && !options.AllowUnprotectedKeyRing)
        {
            throw new InvalidOperationException(
                $"The data-protection key ring must be encrypted at rest outside Development: set " +
                $"'{Section}:Certificate:Path' (with '{Section}:Certificate:Password' or '{Section}:Certificate:KeyPath'), " +
                $"or set '{Section}:AllowUnprotectedKeyRing=true' to run with an unencrypted key ring.");
        }
        else
        {
            builder.Services.AddHostedService<UnprotectedKeyRingWarning>();
        }

        builder.Services.PostConfigure<LoggerFilterOptions>(KeepDataProtectionLogsAtInformation);
        builder.Services.AddSingleton<AppApiKeyProtector>();
        builder.Services.AddScoped<KeyRingCanaryStore>();
        return builder;
    }

    private const string DataProtectionCategory = "Microsoft.AspNetCore.DataProtection";

    /// <summary>
    /// DataProtection logs key XML (master keys included, when the ring is not encrypted) at Debug. Whatever the
    /// configuration says, its categories stay at Information or above: every rule that would let a DataProtection
    /// category through below Information is raised, and each provider gets a rule for the category, so no
    /// broader rule (such as <c>Default: Trace</c>) applies to it.
    /// </summary>
    private static void KeepDataProtectionLogsAtInformation(LoggerFilterOptions options)
    {
        var providers = options.Rules.Select(r => r.ProviderName).Append(null).Distinct().ToList();
        for (var i = 0; i < options.Rules.Count; i++)
        {
            var rule = options.Rules[i];
            if (rule.CategoryName is { } category && category.StartsWith(DataProtectionCategory, StringComparison.Ordinal)
                && (rule.LogLevel is null || rule.LogLevel < LogLevel.Information))
            {
                options.Rules[i] = new LoggerFilterRule(rule.ProviderName, rule.CategoryName, LogLevel.Information, rule.Filter);
            }
        }

        foreach (var provider in providers)
        {
            if (!options.Rules.Any(r => r.ProviderName == provider && r.CategoryName == DataProtectionCategory))
            {
                options.Rules.Add(new LoggerFilterRule(provider, DataProtectionCategory, LogLevel.Information, null));
            }
        }
    }

    private static X509Certificate2 Load(CertificateOptions certificate, string settingName)
    {
        var path = certificate.Path;
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
        {
            throw new InvalidOperationException($"'{settingName}:Path' names no readable certificate file: '{path}'.");
        }

        try
        {
            var loaded = certificate.KeyPath is { Length: > 0 } keyPath
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509CertificateLoader.LoadPkcs12FromFile(path, certificate.Password, X509KeyStorageFlags.EphemeralKeySet);
            if (!loaded.HasPrivateKey)
            {
                throw new InvalidOperationException($"The certificate at '{settingName}:Path' has no private key.");
            }

            return loaded;
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new InvalidOperationException($"The certificate at '{settingName}:Path' cannot be loaded: {ex.Message}", ex);
        }
    }
}

internal sealed partial class UnprotectedKeyRingWarning(ILogger<UnprotectedKeyRingWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogUnprotected(logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "The data-protection key ring is NOT encrypted at rest: anyone who can read the data_protection_keys table " +
        "can decrypt every stored App API Key. Set DataProtection:Certificate:Path to protect it.")]
    private static partial void LogUnprotected(ILogger logger);
}
