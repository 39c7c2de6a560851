using CredentialService.Credentials;
using Microsoft.Extensions.Options;

namespace CredentialService.ConnectionTests;

/// <summary>
/// Outside Development a Customer.io base URL must be https, except on loopback (a local fake or sidecar): the App API
/// Key travels in its Authorization header.
/// </summary>
internal sealed class CustomerIoOptionsValidator(IHostEnvironment environment) : IValidateOptions<CustomerIoOptions>
{
    public ValidateOptionsResult Validate(string? name, CustomerIoOptions options)
    {
        if (environment.IsDevelopment() || options.AllowPlainHttp) return ValidateOptionsResult.Success;
        var failures = new List<string>();
        foreach (var region in new[] { Region.Us, Region.Eu })
        {
            if (options.Regions.TryGetValue(region, out var configured)
                && Uri.TryCreate(configured.BaseUrl, UriKind.Absolute, out var uri)
                && uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
            {
                failures.Add($"{CustomerIoOptions.Section}:Regions:{region}:BaseUrl is '{configured.BaseUrl}': outside Development " +
                             "a Customer.io base URL must use https (plain http is allowed only for a loopback host).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
