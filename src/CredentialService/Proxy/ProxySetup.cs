using System.Diagnostics;
using Microsoft.Extensions.Options;
using OpenTelemetry.Instrumentation.AspNetCore;
using OpenTelemetry.Trace;

namespace CredentialService.Proxy;

public static class ProxySetup
{
    public const string ActivitySourceName = "CredentialService.Proxy";
    internal static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    /// <summary>
    /// The proxy (DESIGN §8): options validated at start, YARP's forwarder, one long-lived client, the key cache, the
    /// <c>X-Credential-Proxy: service</c> mark on the route's own answers, and the privacy rules for its paths in logs
    /// and traces.
    /// </summary>
    public static IHostApplicationBuilder AddProxy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton<ProxyInvoker>();
        builder.Services.AddSingleton<ProxyKeyCache>();
        builder.Services.AddSingleton<IStartupFilter, ProxyMarkStartupFilter>();

        ProxyPrivacy.KeepPathsOutOfLogs(builder);
        builder.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddSource(ActivitySourceName));
        builder.Services.Configure<AspNetCoreTraceInstrumentationOptions>(o =>
        {
            var enrich = o.EnrichWithHttpRequest;
            o.EnrichWithHttpRequest = (activity, request) =>
            {
                enrich?.Invoke(activity, request);
                ProxyPrivacy.RedactServerSpan(activity, request);
            };
        });
        return builder;
    }

    /// <summary>Marks every answer on a proxy path that Customer.io did not give (401, 403, 404, 4xx/5xx problems).</summary>
    private sealed class ProxyMarkStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (ProxyPrivacy.IsProxyPath(context.Request.Path))
                {
                    context.Response.OnStarting(static state =>
                    {
                        var headers = ((HttpContext)state).Response.Headers;
                        if (!headers.ContainsKey(ProxyTransformer.MarkerHeader)) headers[ProxyTransformer.MarkerHeader] = "service";
                        return Task.CompletedTask;
                    }, context);
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
