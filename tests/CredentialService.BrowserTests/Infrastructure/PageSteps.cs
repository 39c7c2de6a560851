using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using CredentialService.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CredentialService.BrowserTests.Infrastructure;

/// <summary>Records what would show in a browser's console as a script failure: uncaught errors and CSP refusals.</summary>
public static class PageErrors
{
    private static readonly ConditionalWeakTable<IPage, List<string>> Errors = new();

    public static void Watch(IPage page)
    {
        var errors = Errors.GetOrCreateValue(page);
        page.PageError += (_, message) => errors.Add($"uncaught: {message}");
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && (message.Text.Contains("Content Security Policy", StringComparison.Ordinal)
                                            || message.Text.Contains("Uncaught", StringComparison.Ordinal)))
            {
                errors.Add($"console: {message.Text}");
            }
        };
    }

    public static void AssertNone(IPage page) => Assert.Empty(Errors.GetOrCreateValue(page));
}

/// <summary>What a person does on the page, in words the page uses (labels, button names, headings).</summary>
public static class PageSteps
{
    public const string AddOverlay = "Add New Credential";

    public static async Task SignInAsync(this IPage page, string token)
    {
        await page.GetByLabel("Bearer token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>A new tenant with every scope, signed in on a fresh page showing the tile screen.</summary>
    public static async Task<(IPage Page, string Tenant, HttpClient Api)> SignedInPageAsync(
        this BrowserFixture fixture, ViewportSize? viewport = null)
    {
        var tenant = BrowserFixture.NewTenant();
        var page = await fixture.NewPageAsync(viewport);
        await page.SignInAsync(Tokens.For(tenant, Tokens.AllScopes));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Credentials", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("#list-status")).Not.ToHaveTextAsync("Loading credentials…");
        return (page, tenant, fixture.ApiFor(tenant));
    }

    public static ILocator Overlay(this IPage page, string name) =>
        page.GetByRole(AriaRole.Dialog, new() { Name = name });

    public static ILocator Tile(this IPage page, string name) =>
        page.GetByRole(AriaRole.Article, new() { Name = name, Exact = true });

    public static ILocator TileButton(this ILocator tile, string action) =>
        tile.GetByRole(AriaRole.Button, new() { Name = action });

    public static async Task<ILocator> OpenAddOverlayAsync(this IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Add Credential" }).ClickAsync();
        var overlay = page.Overlay(AddOverlay);
        await Expect(overlay).ToBeVisibleAsync();
        return overlay;
    }

    public static async Task FillAddOverlayAsync(this ILocator overlay, string name, string? description, string key,
        string regionDomain = "api.customer.io")
    {
        await overlay.GetByLabel("Credential Name").FillAsync(name);
        if (description is not null) await overlay.GetByLabel("Credential Description").FillAsync(description);
        await overlay.GetByLabel("App API Key").FillAsync(key);
        await overlay.GetByLabel("API Region Domain").SelectOptionAsync(new SelectOptionValue { Label = regionDomain });
    }

    /// <summary>Creates a credential through the API (behind the page's back) and returns its JSON.</summary>
    public static async Task<JsonNode> CreateAsync(this HttpClient api, string name, string key, string region = "us",
        string? description = null)
    {
        var response = await api.PostAsync("/v1/credentials", Api.Json(new { name, description, appApiKey = key, region }));
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return await response.ReadJson();
    }

    public static async Task<JsonArray> ListAsync(this HttpClient api, string query = "") =>
        (await api.GetJson($"/v1/credentials?limit=200{query}"))["items"]!.AsArray();

    public static async Task CloseAsync(this IPage page)
    {
        PageErrors.AssertNone(page);
        await page.Context.CloseAsync();
    }
}
