namespace CredentialService.Infrastructure.Auth;

/// <summary>The scopes a caller's token may carry (docs/api.md §Callers, tenants and scopes). Each is also the name of its authorization policy.</summary>
public static class Scopes
{
    public const string Read = "credentials:read";
    public const string Write = "credentials:write";
    public const string Test = "credentials:test";
    public const string Use = "credentials:use";
    public const string Admin = "credentials:admin";

    public static readonly string[] All = [Read, Write, Test, Use, Admin];
}
