using CredentialService.Infrastructure.Auth;
using Microsoft.OpenApi;

namespace CredentialService.Infrastructure.OpenApi;

public static class OpenApiSetup
{
    private const string BearerScheme = "Bearer";

    public static IHostApplicationBuilder AddOpenApiDocument(this IHostApplicationBuilder builder)
    {
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(c =>
        {
            c.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Credential Service",
                Version = "v1",
                Description = "Stores Customer.io App API Keys encrypted, lists them without the key, tests them " +
                              "against the right region. Scopes: " + string.Join(", ", Scopes.All) + ". " +
                              "CORS is not enabled: no response carries Access-Control-Allow-Origin, so browsers allow " +
                              "calls only from pages the service serves itself (the credential manager page, Swagger UI). " +
                              "The reference is docs/api.md in the repository.",
            });
            c.AddSecurityDefinition(BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A JWT with a tenant_id claim and the scopes the operation needs " +
                              "(e.g. from `dotnet user-jwts create`). Paste the token only, without 'Bearer '. " +
                              "Scopes: " + string.Join(", ", Scopes.All) + ". " +
                              "Tokens are handled as RFC8725 (JSON Web Token Best Current Practices) asks: a signature is " +
                              "required (alg none is refused), only the configured issuer's keys verify it, and issuer, " +
                              "audience and expiry are checked on every request. Issue short-lived tokens.",
            });
            c.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [],
            });
            // PATCH fields are PatchField<string?> on the server: on the wire they are plain nullable strings.
            c.MapType<PatchField<string?>>(() => new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null });
            c.SupportNonNullableReferenceTypes();
            c.OperationFilter<OperationDocumentation>();
            c.OperationFilter<ErrorResponses>();
            c.SchemaFilter<ValidatorSchemaFilter>();
            c.SchemaFilter<SchemaBounds>();
        });
        return builder;
    }

    /// <summary>
    /// Swagger UI's own files only (its scripts and styles come from the same origin); swagger-ui sets inline style
    /// attributes, hence 'unsafe-inline' for styles, never for scripts. "Try it out" calls this origin only.
    /// </summary>
    private const string SwaggerContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>
    /// The OpenAPI document and Swagger UI at <c>/swagger</c>: on by default in Development only; elsewhere set
    /// <c>Swagger:Enabled=true</c>.
    /// </summary>
    public static WebApplication UseOpenApiDocument(this WebApplication app)
    {
        if (app.Configuration.GetValue("Swagger:Enabled", defaultValue: app.Environment.IsDevelopment()))
        {
            app.Use((context, next) =>
            {
                if (context.Request.Path.StartsWithSegments("/swagger"))
                {
                    var headers = context.Response.Headers;
                    headers.ContentSecurityPolicy = SwaggerContentSecurityPolicy;
                    headers.XContentTypeOptions = "nosniff";
                    headers["Referrer-Policy"] = "no-referrer";
                }

                return next(context);
            });
            app.UseSwagger();
            app.UseSwaggerUI(o => o.SwaggerEndpoint("/swagger/v1/swagger.json", "Credential Service v1"));
        }

        return app;
    }
}
