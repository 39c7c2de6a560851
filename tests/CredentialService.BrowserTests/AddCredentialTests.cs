using CredentialService.BrowserTests.Infrastructure;
using CredentialService.FakeCustomerIo;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CredentialService.BrowserTests;

[Collection(BrowserGroup.Name)]
public sealed class AddCredentialTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Adding_a_credential_through_the_overlay_shows_its_tile()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        var key = fixture.NewUsKey();

        var overlay = await page.OpenAddOverlayAsync();
        await Expect(overlay.GetByLabel("Credential Name")).ToBeFocusedAsync();
        await Expect(overlay.GetByLabel("API Region Domain")).ToHaveValueAsync("us"); // api.customer.io by default
        await Expect(overlay.GetByLabel("App API Key")).ToHaveAttributeAsync("type", "password");
        await overlay.FillAddOverlayAsync("Customer.io – marketing", "Nightly segment export", "  " + key + " \t");
        await overlay.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(overlay).ToBeHiddenAsync();
        var tile = page.Tile("Customer.io – marketing");
        await Expect(tile).ToContainTextAsync("Nightly segment export");
        await Expect(tile).ToContainTextAsync("api.customer.io");
        await Expect(tile.Locator(".tile__last4")).ToHaveTextAsync(key[^4..]);
        await Expect(tile).ToContainTextAsync("Not tested yet");
        await Expect(tile.GetByRole(AriaRole.Heading)).ToBeFocusedAsync();

        var stored = Assert.Single(await api.ListAsync());
        Assert.Equal("Customer.io – marketing", stored!["name"]!.GetValue<string>());
        Assert.Equal(key[^4..], stored["appApiKeyLast4"]!.GetValue<string>());
        await page.CloseAsync();
    }

    [Fact]
    public async Task Test_before_save_shows_ok_and_invalid_key_verdicts()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        var good = fixture.NewUsKey();
        var overlay = await page.OpenAddOverlayAsync();
        await overlay.FillAddOverlayAsync("Tested first", null, good);
        var verdict = overlay.Locator("#add-verdict");

        await overlay.GetByRole(AriaRole.Button, new() { Name = "Test" }).ClickAsync();
        await Expect(verdict.Locator(".verdict")).ToHaveTextAsync("✓ Connection OK");
        await Expect(verdict).ToHaveAttributeAsync("data-outcome", "ok");

        await overlay.GetByLabel("App API Key").FillAsync(BrowserFixture.NewKey()); // unknown to both regions
        await Expect(verdict).ToBeEmptyAsync(); // a verdict is about the key it was run with
        await overlay.GetByRole(AriaRole.Button, new() { Name = "Test" }).ClickAsync();
        await Expect(verdict.Locator(".verdict")).ToHaveTextAsync("✕ Invalid key");
        await Expect(verdict.Locator(".verdict-panel__message")).Not.ToBeEmptyAsync();

        Assert.Empty(await api.ListAsync()); // testing stores nothing
        await page.CloseAsync();
    }

    [Fact]
    public async Task Wrong_region_offers_a_one_click_switch_and_the_credential_saves_in_the_suggested_region()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        var euKey = BrowserFixture.NewKey();
        fixture.Eu.Respond(euKey, FakeReply.Ok()); // valid in the EU only; the US answers 401
        var overlay = await page.OpenAddOverlayAsync();
        await overlay.FillAddOverlayAsync("EU workspace", "GDPR data", euKey);
        var verdict = overlay.Locator("#add-verdict");

        await overlay.GetByRole(AriaRole.Button, new() { Name = "Test" }).ClickAsync();
        await Expect(verdict.Locator(".verdict")).ToHaveTextAsync("⚠ Wrong region");
        await Expect(verdict).ToContainTextAsync("Change the credential's region to eu");
        await verdict.GetByRole(AriaRole.Button, new() { Name = "Switch to api-eu.customer.io" }).ClickAsync();
        await Expect(overlay.GetByLabel("API Region Domain")).ToHaveValueAsync("eu");
        await Expect(overlay.GetByLabel("API Region Domain")).ToBeFocusedAsync();

        await overlay.GetByRole(AriaRole.Button, new() { Name = "Test" }).ClickAsync();
        await Expect(verdict.Locator(".verdict")).ToHaveTextAsync("✓ Connection OK");
        await overlay.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(page.Tile("EU workspace")).ToContainTextAsync("api-eu.customer.io");
        var stored = Assert.Single(await api.ListAsync());
        Assert.Equal("eu", stored!["region"]!.GetValue<string>());
        await page.CloseAsync();
    }

    [Fact]
    public async Task Double_clicking_save_creates_one_credential_under_one_idempotency_key()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        var posts = new List<IRequest>();
        page.Request += (_, request) =>
        {
            if (request.Method == "POST" && request.Url.EndsWith("/v1/credentials", StringComparison.Ordinal)) posts.Add(request);
        };
        var overlay = await page.OpenAddOverlayAsync();
        await overlay.FillAddOverlayAsync("Clicked twice", null, fixture.NewUsKey());

        await overlay.GetByRole(AriaRole.Button, new() { Name = "Save" }).DblClickAsync();

        await Expect(page.Tile("Clicked twice")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-credential-id]")).ToHaveCountAsync(1);
        Assert.Single(await api.ListAsync());
        Assert.NotEmpty(posts);
        var keys = posts.Select(p => p.Headers.GetValueOrDefault("idempotency-key")).Distinct().ToList();
        Assert.True(Guid.TryParse(Assert.Single(keys), out _));

        // The next opening of the overlay gets a new key, so a second credential is a second credential.
        overlay = await page.OpenAddOverlayAsync();
        await overlay.FillAddOverlayAsync("Second one", null, fixture.NewUsKey());
        await overlay.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("[data-credential-id]")).ToHaveCountAsync(2);
        Assert.Equal(2, posts.Select(p => p.Headers["idempotency-key"]).Distinct().Count());
        await page.CloseAsync();
    }

    [Fact]
    public async Task Field_errors_from_the_api_appear_next_to_their_fields()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        var overlay = await page.OpenAddOverlayAsync();
        await overlay.FillAddOverlayAsync("   ", null, "sa_live_0123456789abcdef");

        await overlay.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(overlay.Locator("#add-name-error")).ToContainTextAsync("name is required");
        await Expect(overlay.Locator("#add-key-error")).ToContainTextAsync("service-account token");
        await Expect(overlay.GetByLabel("App API Key")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(overlay.GetByLabel("Credential Name")).ToBeFocusedAsync();
        await Expect(overlay.GetByRole(AriaRole.Button, new() { Name = "Save" })).ToBeEnabledAsync();
        Assert.Empty(await api.ListAsync());
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_app_api_key_never_appears_in_the_page_after_saving_or_closing()
    {
        var (page, _, _) = await fixture.SignedInPageAsync();
        var key = fixture.NewUsKey();
        var overlay = await page.OpenAddOverlayAsync();
        await overlay.FillAddOverlayAsync("Secret keeper", null, key);
        await overlay.GetByRole(AriaRole.Button, new() { Name = "Test" }).ClickAsync();
        await Expect(overlay.Locator("#add-verdict .verdict")).ToHaveTextAsync("✓ Connection OK");
        await overlay.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Tile("Secret keeper")).ToBeVisibleAsync();

        await AssertKeyNowhereAsync(page, key);

        // Typed, then abandoned with Escape: gone as well, and the reopened overlay starts empty.
        var abandoned = BrowserFixture.NewKey();
        overlay = await page.OpenAddOverlayAsync();
        await overlay.GetByLabel("App API Key").FillAsync(abandoned);
        await page.Keyboard.PressAsync("Escape");
        await Expect(overlay).ToBeHiddenAsync();
        await AssertKeyNowhereAsync(page, abandoned);
        overlay = await page.OpenAddOverlayAsync();
        await Expect(overlay.GetByLabel("App API Key")).ToHaveValueAsync("");
        await page.CloseAsync();
    }

    private static async Task AssertKeyNowhereAsync(IPage page, string key)
    {
        Assert.DoesNotContain(key, await page.EvaluateAsync<string>("() => document.documentElement.outerHTML"));
        var values = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('input, textarea, select')].map(e => e.value)");
        Assert.DoesNotContain(values, v => v.Contains(key, StringComparison.Ordinal));
        Assert.DoesNotContain(key, await page.EvaluateAsync<string>(
            "() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage })"));
    }
}
