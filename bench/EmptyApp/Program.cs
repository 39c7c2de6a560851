// The smallest ASP.NET Core app that answers what bench/run.sh waits for: the web host, Kestrel, routing, logging.
var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/health/ready", () => "Healthy");
app.Run();
