using CredentialService.BrowserTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CredentialService.BrowserTests;

/// <summary>Swagger UI renders under its Content-Security-Policy: the browser blocks nothing it needs.</summary>
[Collection(BrowserGroup.Name)]
public sealed class SwaggerUiTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Swagger_ui_renders_every_operation_with_no_content_security_policy_violation()
    {
        var page = await fixture.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) violations.Add(message.Text);
        };

        var response = await page.GotoAsync(new Uri(fixture.BaseUrl, "swagger/index.html").ToString());
        Assert.NotNull(response);
        Assert.Contains("default-src 'none'", await response.HeaderValueAsync("content-security-policy") ?? "");
        await Expect(page.Locator(".swagger-ui .info .title")).ToContainTextAsync("Credential Service");
        await Expect(page.Locator(".opblock-summary-path").Filter(new() { HasText = "/v1/credentials/{id}/events" })).ToBeVisibleAsync();
        Assert.Empty(violations);
        await page.CloseAsync();
    }
}
