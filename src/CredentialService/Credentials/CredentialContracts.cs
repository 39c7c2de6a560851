using System.ComponentModel.DataAnnotations;
using System.Linq.Expressions;
using System.Text;
using CredentialService.ConnectionTests;
using CredentialService.Infrastructure;
using CredentialService.Infrastructure.Telemetry;

namespace CredentialService.Credentials;

public sealed record CreateCredentialRequest(string? Name, string? Description, [property: SecretData] string? AppApiKey, string? Region)
{
    // A record prints every property; this one carries a plaintext key.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Name = {Name}, Description = {Description}, AppApiKey = {Redacted.Key(AppApiKey)}, Region = {Region}");
        return true;
    }

    /// <summary>The request as the values to store, in one step; only for a request <see cref="CreateCredentialValidator"/> accepted.</summary>
    public NewCredential Parse() => new(
        Name!.Trim(),
        CredentialFieldRules.NormalizeDescription(Description),
        Credentials.AppApiKey.Parse(AppApiKey),
        Credentials.Region.Parse(Region ?? Credentials.Region.Us));
}

/// <summary>A validated create: the trimmed name, the description (null when blank), the key and the region code.</summary>
public sealed record NewCredential(string Name, string? Description, AppApiKey Key, string Region);

/// <summary>
/// Every field is optional: an omitted field keeps its value; <c>description: null</c> clears the description.
/// </summary>
public sealed record UpdateCredentialRequest
{
    public PatchField<string?> Name { get; init; }
    public PatchField<string?> Description { get; init; }
    public PatchField<string?> AppApiKey { get; init; }
    public PatchField<string?> Region { get; init; }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Name = {Name.Value}, Description = {Description.Value}, ")
            .Append($"AppApiKey = {(AppApiKey.IsSet ? Redacted.Key(AppApiKey.Value) : "(unchanged)")}, Region = {Region.Value}");
        return true;
    }

    /// <summary>The request as changes, in one step; only for a request <see cref="UpdateCredentialValidator"/> accepted.</summary>
    public CredentialChanges Parse() => new(
        Name.IsSet ? Name.Value!.Trim() : null,
        Description.IsSet ? new PatchField<string?>(true, CredentialFieldRules.NormalizeDescription(Description.Value)) : default,
        AppApiKey.IsSet ? Credentials.AppApiKey.Parse(AppApiKey.Value) : null,
        Region.IsSet ? Credentials.Region.Parse(Region.Value!) : null);
}

/// <summary>
/// A validated update: null (or an unset <see cref="Description"/>) keeps the stored value; a set description of null
/// clears it. Values are normalized as the create's are.
/// </summary>
public sealed record CredentialChanges(string? Name, PatchField<string?> Description, AppApiKey? Key, string? Region);

public sealed record CredentialResponse(
    Guid Id,
    [property: AllowedValues(Credential.CustomerIoType)] string Type,
    [property: MaxLength(CredentialFieldRules.NameMaxLength), RegularExpression(CredentialFieldRules.NoControlCharacters)] string Name,
    [property: MaxLength(CredentialFieldRules.DescriptionMaxLength), RegularExpression(CredentialFieldRules.NoControlCharactersButLineBreaksAndTabs)] string? Description,
    [property: AllowedValues(Credentials.Region.Us, Credentials.Region.Eu)] string Region,
    [property: AllowedValues(Credentials.Region.UsApiDomain, Credentials.Region.EuApiDomain)] string ApiDomain,
    [property: StringLength(AppApiKey.Last4Length, MinimumLength = AppApiKey.Last4Length), RegularExpression(AppApiKeyRules.NoWhitespaceOrControlCharacters)] string AppApiKeyLast4,
    TestResult? LastTest,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    [property: MaxLength(ETags.MaxVersionLength), RegularExpression(ETags.VersionPattern)] string Version,
    [property: Range(0, int.MaxValue)] int UsageCount = 0)
{
    /// <summary>What reads select: every column but the ciphertext, which a response never shows.</summary>
    public static readonly Expression<Func<Credential, CredentialResponse>> Projection = c => new CredentialResponse(
        c.Id, c.Type, c.Name, c.Description, c.Region, Credentials.Region.ApiDomain(c.Region), c.AppApiKeyLast4,
        c.LastTest, c.CreatedAt, c.UpdatedAt, ETags.VersionString(c.Version), c.UsageCount);

    private static readonly Func<Credential, CredentialResponse> FromEntity = Projection.Compile();

    public static CredentialResponse From(Credential c) => FromEntity(c);
}

public sealed record CredentialPage(
    [property: MaxLength(CredentialsApi.MaxLimit)] IReadOnlyList<CredentialResponse> Items,
    [property: StringLength(CredentialCursor.Length, MinimumLength = CredentialCursor.Length), RegularExpression(CredentialCursor.Pattern)] string? NextCursor);
