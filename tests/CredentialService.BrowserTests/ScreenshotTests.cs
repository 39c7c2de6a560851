using CredentialService.BrowserTests.Infrastructure;
using CredentialService.FakeCustomerIo;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CredentialService.BrowserTests;

/// <summary>
/// Pictures of the page: the tile screen and the Add New Credential overlay (tiles.png, add-credential.png), kept as
/// test artifacts in TestResults/screenshots/. With UPDATE_SCREENSHOTS=1 they replace the README's copies in
/// docs/screenshots/ instead, so an ordinary test run leaves the working tree clean.
/// </summary>
[Collection(BrowserGroup.Name)]
public sealed class ScreenshotTests(BrowserFixture fixture)
{
    private static readonly string Folder = Environment.GetEnvironmentVariable("UPDATE_SCREENSHOTS") == "1"
        ? Path.Combine(BrowserFixture.RepositoryRoot, "docs", "screenshots")
        : Path.Combine(BrowserFixture.RepositoryRoot, "TestResults", "screenshots");

    [Fact]
    public async Task Screenshots_of_the_tile_screen_and_the_add_credential_overlay()
    {
        var (page, _, api) = await fixture.SignedInPageAsync(new ViewportSize { Width = 1280, Height = 860 });
        var euKey = BrowserFixture.NewKey();
        fixture.Eu.Respond(euKey, FakeReply.Ok());
        var untested = await api.CreateAsync("Customer.io – lifecycle", BrowserFixture.NewKey(), description: "Onboarding campaigns");
        var wrong = await api.CreateAsync("Customer.io – EU newsletters", euKey, region: "us", description: "Weekly newsletter audience");
        var bad = await api.CreateAsync("Customer.io – legacy", BrowserFixture.NewKey(), region: "eu", description: "Old workspace, key deleted");
        var good = await api.CreateAsync("Customer.io – marketing", fixture.NewUsKey(), description: "Nightly segment export");
        foreach (var tested in new[] { wrong, bad, good })
        {
            await api.PostAsync($"/v1/credentials/{tested["id"]}/test", null);
        }

        Assert.NotNull(untested);
        await page.ReloadAsync();
        await Expect(page.Locator("[data-credential-id]")).ToHaveCountAsync(4);
        Directory.CreateDirectory(Folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Folder, "tiles.png"), FullPage = true });

        var overlay = await page.OpenAddOverlayAsync();
        await overlay.FillAddOverlayAsync("Customer.io – transactional", "Password reset and receipt emails", fixture.NewUsKey());
        await overlay.GetByRole(AriaRole.Button, new() { Name = "Test" }).ClickAsync();
        await Expect(overlay.Locator("#add-verdict .verdict")).ToHaveTextAsync("✓ Connection OK");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Folder, "add-credential.png") });

        Assert.True(new FileInfo(Path.Combine(Folder, "tiles.png")).Length > 10_000);
        Assert.True(new FileInfo(Path.Combine(Folder, "add-credential.png")).Length > 10_000);
        await page.CloseAsync();
    }
}
