using CredentialService.Credentials;
using CredentialService.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CredentialService.Usages;

/// <summary>The answer to deleting a credential that sources or destinations still use.</summary>
public static class DeleteProtection
{
    public const string ProblemType = "https://credential-service/problems/credential-in-use";
    public const int ListedUsages = 10;

    public static async Task<ProblemHttpResult> InUseAsync(CredentialsDbContext db, Credential credential, CancellationToken ct)
    {
        var usages = await UsagesApi.FirstAsync(db, credential.Id, ListedUsages, ct);
        var names = string.Join(", ", usages.Select(u => $"{u.Kind} {u.Name} ({u.Id})"));
        var more = credential.UsageCount > usages.Length ? $" and {credential.UsageCount - usages.Length} more" : "";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            type: ProblemType,
            title: "The credential is in use",
            detail: $"{credential.UsageCount} source(s) or destination(s) use this credential: {names}{more}. Remove " +
                    "those usages first, or delete with force=true to delete the credential and its usages.",
            extensions: new Dictionary<string, object?>
            {
                ["usageCount"] = credential.UsageCount,
                ["usages"] = usages,
            });
    }
}
