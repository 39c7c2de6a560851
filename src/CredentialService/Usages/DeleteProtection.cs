using CredentialService.Credentials;
using CredentialService.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CredentialService.Usages;

/// <summary>The answer to deleting a credential that sources or destinations still use.</summary>
public static class DeleteProtection
{
    public const string ProblemType = "https://credential-service/problems/credential-in-use";
    public const int ListedUsages = 10;

    public static async Task<ProblemHttpResult> InUseAsync(CredentialsDbContext db, Credential credential, CancellationToken ct)
    {
        var usages = await UsagesApi.FirstAsync(db, credential.Id, ListedUsages, ct);
        return TypedResults.Problem(InUse(credential.UsageCount, usages));
    }

    /// <summary>The 409 problem for <paramref name="usageCount"/> usages, of which <paramref name="listed"/> are named.</summary>
    public static ProblemDetails InUse(int usageCount, UsageResponse[] listed)
    {
        var names = string.Join(", ", listed.Select(u => $"{u.Kind} {u.Name} ({u.Id})"));
        var more = usageCount > listed.Length ? $" and {usageCount - listed.Length} more" : "";
        return new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Type = ProblemType,
            Title = "The credential is in use",
            Detail = $"{usageCount} source(s) or destination(s) use this credential: {names}{more}. Remove " +
                     "those usages first, or delete with force=true to delete the credential and its usages.",
            Extensions =
            {
                ["usageCount"] = usageCount,
                ["usages"] = listed,
            },
        };
    }
}
