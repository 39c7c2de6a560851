using Microsoft.Extensions.Compliance.Classification;

namespace CredentialService.Infrastructure.Telemetry;

/// <summary>
/// Marks a property or log parameter as a secret (an App API Key). Logged through the source-generated logging
/// methods, its value is erased by the redactor, whatever the log level.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class SecretDataAttribute() : DataClassificationAttribute(SecretData.Classification);

public static class SecretData
{
    public static readonly DataClassification Classification = new("CredentialService", "Secret");
}
