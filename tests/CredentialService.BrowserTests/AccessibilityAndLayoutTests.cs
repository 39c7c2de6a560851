using CredentialService.BrowserTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CredentialService.BrowserTests;

[Collection(BrowserGroup.Name)]
public sealed class AccessibilityAndLayoutTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_credential_can_be_added_with_the_keyboard_only_and_the_overlay_keeps_focus_inside()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();

        await TabToAsync(page, "add-credential");
        await page.Keyboard.PressAsync("Enter");
        var overlay = page.Overlay(PageSteps.AddOverlay);
        await Expect(overlay.GetByLabel("Credential Name")).ToBeFocusedAsync();

        // Tab and Shift+Tab cycle inside the modal overlay; the page behind is inert.
        for (var i = 0; i < 14; i++)
        {
            await page.Keyboard.PressAsync(i % 5 == 4 ? "Shift+Tab" : "Tab");
            Assert.True(await page.EvaluateAsync<bool>(
                "() => document.activeElement === document.body || !!document.activeElement.closest('#add-dialog')"),
                "focus left the overlay");
        }

        // Escape closes it and focus returns to the Add Credential tile.
        await page.Keyboard.PressAsync("Escape");
        await Expect(overlay).ToBeHiddenAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Add Credential" })).ToBeFocusedAsync();

        await page.Keyboard.PressAsync("Enter");
        await Expect(overlay.GetByLabel("Credential Name")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("Typed by keyboard");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("No mouse used");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(fixture.NewUsKey());
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("ArrowDown"); // api-eu.customer.io
        await Expect(overlay.GetByLabel("API Region Domain")).ToHaveValueAsync("eu");
        await page.Keyboard.PressAsync("Tab");
        await Expect(overlay.GetByRole(AriaRole.Button, new() { Name = "Test" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(overlay.Locator("#add-verdict .verdict")).ToHaveTextAsync("⚠ Wrong region");
        await TabToAsync(page, null, "[data-switch-region]");
        await page.Keyboard.PressAsync("Enter");
        await Expect(overlay.GetByLabel("API Region Domain")).ToHaveValueAsync("us");
        await TabToAsync(page, "add-save");
        await page.Keyboard.PressAsync("Enter");

        var tile = page.Tile("Typed by keyboard");
        await Expect(tile.GetByRole(AriaRole.Heading)).ToBeFocusedAsync();
        await Expect(tile).ToContainTextAsync("api.customer.io");
        Assert.Single(await api.ListAsync());
        await page.CloseAsync();
    }

    [Fact]
    public async Task Every_control_has_a_label_and_every_button_a_name()
    {
        var (page, _, api) = await fixture.SignedInPageAsync();
        await api.CreateAsync("Labelled", BrowserFixture.NewKey());
        await page.ReloadAsync();
        await Expect(page.Tile("Labelled")).ToBeVisibleAsync();

        var unlabelled = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('input, select, textarea')]
                .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label'))
                .map(e => e.id || e.outerHTML)
            """);
        Assert.Empty(unlabelled);
        var nameless = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('button')]
                .filter(b => !(b.getAttribute('aria-label') || b.textContent).trim())
                .map(b => b.outerHTML)
            """);
        Assert.Empty(nameless);
        // Tile buttons say which credential they act on.
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete Labelled", Exact = true })).ToBeVisibleAsync();
        await page.CloseAsync();
    }

    [Theory]
    [InlineData(640, 400)] // a 1280 × 800 window at 200% zoom
    [InlineData(360, 740)] // a phone
    [InlineData(320, 568)] // WCAG 1.4.10 reflow width
    public async Task The_tiles_and_the_overlay_fit_narrow_windows_without_sideways_scrolling(int width, int height)
    {
        var (page, _, api) = await fixture.SignedInPageAsync(new ViewportSize { Width = width, Height = height });
        await api.CreateAsync("A rather long credential name that has to wrap on a phone", BrowserFixture.NewKey(),
            description: "A description long enough to wrap onto several lines on narrow screens, without overflowing.");
        await page.ReloadAsync();
        await Expect(page.Locator("[data-credential-id]")).ToHaveCountAsync(1);
        await AssertNoSidewaysScrollAsync(page, width);

        var overlay = await page.OpenAddOverlayAsync();
        await AssertNoSidewaysScrollAsync(page, width);
        var box = await overlay.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.X >= 0 && box.X + box.Width <= width, $"overlay spans {box.X}..{box.X + box.Width} of {width}");
        await overlay.GetByRole(AriaRole.Button, new() { Name = "Save" }).ScrollIntoViewIfNeededAsync();
        await Expect(overlay.GetByRole(AriaRole.Button, new() { Name = "Save" })).ToBeInViewportAsync();
        await page.CloseAsync();
    }

    private static async Task AssertNoSidewaysScrollAsync(IPage page, int width)
    {
        var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= width, $"the page is {scrollWidth}px wide in a {width}px window");
    }

    /// <summary>Presses Tab until the element with that id (or matching that selector) has focus.</summary>
    private static async Task TabToAsync(IPage page, string? id, string? selector = null)
    {
        var test = id is not null ? $"document.activeElement?.id === '{id}'" : $"!!document.activeElement?.matches('{selector}')";
        for (var i = 0; i < 30; i++)
        {
            if (await page.EvaluateAsync<bool>($"() => {test}")) return;
            await page.Keyboard.PressAsync("Tab");
        }

        Assert.Fail($"Tab never reached {id ?? selector}");
    }
}
