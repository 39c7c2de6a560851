using System.Text.Json.Serialization;
using FluentValidation;

namespace CredentialService.Infrastructure;

public static class ContractsSetup
{
    /// <summary>
    /// Request and response bodies: source-generated JSON that refuses unknown fields, and every request validator of
    /// the service (each feature's, found in the assembly): <see cref="ValidationFilter{T}"/> runs them, and the OpenAPI
    /// document declares their limits.
    /// </summary>
    public static IHostApplicationBuilder AddContracts(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, CredentialServiceJsonContext.Default);
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        });
        builder.Services.AddValidatorsFromAssemblyContaining(typeof(ContractsSetup), ServiceLifetime.Singleton);
        return builder;
    }
}
