using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlignLab.Testing;
using Microsoft.Playwright;

namespace AlignLab.Browser.Tests;

/// <summary>Two models on one text, reached from a run page: the base model and the run's export on a FIGA pair, each
/// token's log-prob under both (the log-prob preview's values), the difference row, and FIGA's labels overlaid with the
/// mean change of the tokens it rewards and penalises.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CompareModelsTests(PostgresFixture postgres, ChromiumFixture chromium) : BrowserTestBase(postgres, chromium)
{
    [Fact]
    public async Task TheDifferenceHeatmapAndFigasLabelsOfAnExportAgainstItsBase()
    {
        using var api = NewApi();
        var sft = await TunedDemoModelAsync(api, 20);
        var export = $"runs/{sft}/export";

        var page = await NewPageAsync();
        await GotoAsync(page, $"/runs/{sft}");
        await page.Locator("#compare-with-base").ClickAsync();
        await page.WaitForURLAsync(new Regex("/compare-models\\?models="));
        await Assertions.Expect(page.Locator("#compare-models-list")).ToHaveValueAsync($"demo-gpt2,{export}");

        const string prompt = "What is the capital of Japan?", revised = "The capital of Japan is Tokyo.", initial = "The capital of Japan is Rome.";
        await page.Locator("#compare-models-prompt").FillAsync(prompt);
        await page.Locator("#compare-models-response").FillAsync(revised);
        await page.Locator("#compare-models-original").FillAsync(initial);
        await page.Locator("#compare-models-run").ClickAsync();

        // Both texts, each with a log-prob row per model and one difference row.
        var revision = page.Locator(".compared-text[data-text='revised']");
        await Assertions.Expect(revision.Locator(".heatmap-row[data-kind='logprob']")).ToHaveCountAsync(2);
        await Assertions.Expect(revision.Locator(".heatmap-row[data-kind='difference']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".compared-text[data-text='original'] .heatmap-row")).ToHaveCountAsync(3);

        // The base model's row is the log-prob preview's (template alpaca, the run's), token by token, and the difference row
        // is the export's row minus it.
        double[] Values(IReadOnlyList<string> raw) => [.. raw.Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
        var baseRow = Values(await revision.Locator(".heatmap-row[data-model='demo-gpt2'][data-kind='logprob'] .hm-token").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.value)"));
        var exportRow = Values(await revision.Locator($".heatmap-row[data-model='{export}'][data-kind='logprob'] .hm-token").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.value)"));
        var difference = Values(await revision.Locator(".heatmap-row[data-kind='difference'] .hm-token").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.value)"));
        var preview = await api.Http.PostAsJsonAsync("/api/previews/logprobs", new { model = "demo-gpt2", prompt, response = revised, template = "alpaca" });
        var tokens = JsonNode.Parse(await preview.Content.ReadAsStringAsync())!["tokens"]!.AsArray();
        Assert.Equal(tokens.Count + 1, baseRow.Length);                                       // and the EOS training appends
        for (int i = 0; i < tokens.Count; i++) Assert.Equal(tokens[i]!["logprob"]!.GetValue<double>(), baseRow[i], 6);
        for (int i = 0; i < baseRow.Length; i++) Assert.Equal(exportRow[i] - baseRow[i], difference[i], 9);

        // FIGA's overlay: the tokens the weights preview labels (" Tokyo" and the revision's EOS rewarded, " Rome" penalised);
        // the table's means are those tokens' differences.
        var labels = JsonNode.Parse(await (await api.Http.PostAsJsonAsync("/api/previews/figa-weights", new { model = "demo-gpt2", original = initial, revised })).Content.ReadAsStringAsync())!;
        string Labelled(string side, string label) => string.Concat(labels[side]!.AsArray().Where(t => t!["label"]!.GetValue<string>() == label).Select(t => t!["token"]!.GetValue<string>()));
        Assert.Contains(" Tokyo", Labelled("revised", "added_or_substituted"));
        var rewarded = revision.Locator(".heatmap-row[data-kind='difference'] .hm-token[data-label='added_or_substituted']");
        Assert.Equal(Labelled("revised", "added_or_substituted"), string.Concat(await rewarded.AllTextContentsAsync()));
        Assert.Equal(Labelled("original", "deleted_or_substituted"), string.Concat(await page.Locator(
            ".compared-text[data-text='original'] .heatmap-row[data-kind='difference'] .hm-token[data-label='deleted_or_substituted']").AllTextContentsAsync()));
        var mean = Values(await rewarded.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.value)")).Average();
        await Assertions.Expect(page.Locator($"#compare-models-figa tr[data-model='{export}'] .figa-rewarded"))
            .ToContainTextAsync($"{(mean >= 0 ? "+" : "")}{mean.ToString("0.###", CultureInfo.InvariantCulture)}");
        await page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ScreenshotDirectory, "compare-models.png"), FullPage = true });

        // A model that is not there is named.
        await page.Locator("#compare-models-list").FillAsync("demo-gpt2,no-such-model");
        await page.Locator("#compare-models-run").ClickAsync();
        await Assertions.Expect(page.Locator("#compare-models-errors li[data-field='models']")).ToContainTextAsync("no-such-model");
    }
}
