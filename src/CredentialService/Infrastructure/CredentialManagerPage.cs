namespace CredentialService.Infrastructure;

public static class CredentialManagerPage
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>
    /// Serves the credential manager page (wwwroot/) at <c>/</c>. It handles keys, so it may not be framed, its
    /// modules are revalidated on every load (no mix of old and new after a deploy), and it loads nothing foreign.
    /// </summary>
    public static WebApplication UseCredentialManagerPage(this WebApplication app)
    {
        // Not for the API: the two middlewares would look for a file (two stat calls) on every GET of the hot paths.
        app.UseWhen(context => !context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal), page => page
            .UseDefaultFiles()
            .UseStaticFiles(PageFiles));
        return app;
    }

    private static readonly StaticFileOptions PageFiles = new()
    {
        OnPrepareResponse = context =>
        {
            var headers = context.Context.Response.Headers;
            headers.CacheControl = "no-cache";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
        },
    };
}
