using System.Diagnostics;
using AlignLab.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.JSInterop;
using Microsoft.Playwright;
using MudBlazor.Services;

// Chart benchmark (issue "See what training did"): 50 series × 10,000 points, drawn by our MetricChart (SVG rendered on
// the server, downsampled by LTTB) and by uPlot (canvas, in the browser), in Debian's chromium. Measures, medians of
// 10 after a warm-up:
// - first render: server (the component rendered to HTML) + browser (insert, layout, next frames) for the SVG; building
//   the chart for uPlot;
// - a live update (one new point in every series): server render + applying the changed attributes in the browser for
//   the SVG, with the bytes the update carries; setData for uPlot, and the bytes of its new points;
// - a hover read-out of every series' value (our metric-chart.js; uPlot's setCursor).
// Usage: dotnet run -c Release --project bench/AlignLab.Bench.Charts -- [series=50] [points=10000]
// Needs ./scripts/fetch-fixtures.sh (uPlot from npm) and chromium (ALIGNLAB_CHROMIUM, else /usr/bin/chromium).

int seriesCount = args.Length > 0 ? int.Parse(args[0]) : 50, points = args.Length > 1 ? int.Parse(args[1]) : 10_000;
const int Repeats = 10;
var root = FindRoot();
var uplot = Path.Combine(root, ".fixtures/npm/uplot_1.6.32/dist/uPlot.iife.min.js");
if (!File.Exists(uplot)) throw new FileNotFoundException("run ./scripts/fetch-fixtures.sh first", uplot);

// Random walks, as loss and reward curves look.
var random = new Random(7);
var start = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
var series = Enumerable.Range(0, seriesCount).Select(k =>
{
    var line = new MetricSeries($"metric_{k}") { Origin = start };
    double value = k;
    for (int i = 0; i < points; i++) line.Set(i, value += random.NextDouble() - 0.5, start.AddSeconds(i));
    return line;
}).ToList();
void Grow(int step)
{
    foreach (var line in series) line.Set(step, line.Values[^1] + random.NextDouble() - 0.5, start.AddSeconds(step));
}

// The server side: the component itself, rendered to HTML.
var services = new ServiceCollection().AddLogging().AddMudServices().AddSingleton<IJSRuntime, NoJavaScript>().BuildServiceProvider();
await using var renderer = new HtmlRenderer(services, NullLoggerFactory.Instance);
async Task<(string Html, double Ms)> RenderChartAsync()
{
    var clock = Stopwatch.StartNew();
    var html = await renderer.Dispatcher.InvokeAsync(async () =>
        (await renderer.RenderComponentAsync<MetricChart>(ParameterView.FromDictionary(new Dictionary<string, object?> { ["Series"] = series }))).ToHtmlString());
    return (html, clock.Elapsed.TotalMilliseconds);
}

var executable = Environment.GetEnvironmentVariable("ALIGNLAB_CHROMIUM") ?? "/usr/bin/chromium";
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = executable, Headless = true, Args = ["--no-sandbox", "--disable-gpu"] });
var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 } });
await page.SetContentAsync("<html><body><div id='svg' style='width:1200px'></div><div id='uplot'></div></body></html>");
await page.AddStyleTagAsync(new() { Content = await File.ReadAllTextAsync(Path.Combine(root, "wwwroot/app.css")) });
await page.AddScriptTagAsync(new() { Content = await File.ReadAllTextAsync(uplot) });
await page.EvaluateAsync(Timing);

// SVG: first render.
var svgFirst = new List<(double Server, double Browser)>();
for (int r = 0; r <= Repeats; r++)
{
    var (html, server) = await RenderChartAsync();
    var browserMs = await page.EvaluateAsync<double>("html => timed(() => { document.getElementById('svg').innerHTML = html; })", html);
    if (r > 0) svgFirst.Add((server, browserMs));
}
// SVG: live updates, each one more point in every series; the browser gets the changed polyline attributes, as Blazor's diff sends them.
var svgUpdate = new List<(double Server, double Browser, long Bytes)>();
await page.EvaluateAsync(await ChartModuleAsync(root));
for (int r = 0; r <= Repeats; r++)
{
    Grow(points + r);
    var (html, server) = await RenderChartAsync();
    var lines = PolylineAttributes(html);
    var browserMs = await page.EvaluateAsync<double>(
        @"lines => timed(() => {
            const polylines = document.querySelectorAll('#svg polyline');
            lines.forEach((l, i) => { polylines[i].setAttribute('points', l[0]); polylines[i].setAttribute('data-values', l[1]); });
        })", lines);
    if (r > 0) svgUpdate.Add((server, browserMs, lines.Sum(l => (long)l[0].Length + l[1].Length)));
}
// Of the server's part: the geometry alone (smoothing, LTTB, the coordinates as text).
var geometry = Enumerable.Range(0, Repeats + 1).Select(_ =>
{
    var clock = Stopwatch.StartNew();
    ChartLayout.Of(series, ChartAxis.Step, 0, false, null);
    return clock.Elapsed.TotalMilliseconds;
}).Skip(1).ToList();
var svgHover = await page.EvaluateAsync<double[]>(
    @"async () => {
        const container = document.querySelector('#svg .metric-chart');
        window.chartModule.attach(container, { invokeMethodAsync() {} });
        const svg = container.querySelector('svg'), rect = svg.getBoundingClientRect();
        const times = [];
        for (let i = 0; i < 11; i++) {
            const t0 = performance.now();
            svg.dispatchEvent(new MouseEvent('mousemove', { clientX: rect.left + rect.width * (0.3 + i * 0.03), clientY: rect.top + rect.height / 2, bubbles: true }));
            times.push(performance.now() - t0);
        }
        const rows = container.querySelectorAll('.chart-tooltip-row').length;
        if (rows !== svg.querySelectorAll('polyline').length) throw new Error('read-out rows ' + rows);
        return times;
    }");

// uPlot: the same series (their shared steps as x), first render, live updates and the cursor.
var data = new List<double[]> { series[0].Steps.Select(s => (double)s).ToArray() };
data.AddRange(series.Select(s => s.Values.ToArray()));
var uplotFirst = new List<double>();
for (int r = 0; r <= Repeats; r++)
{
    var ms = await page.EvaluateAsync<double>(
        @"data => timed(() => {
            if (window.plot) window.plot.destroy();
            const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
            const opts = { width: 1200, height: 280, series: [{}, ...data.slice(1).map((_, i) => ({ label: 'metric_' + i, stroke: palette[i % 8] }))] };
            window.plot = new uPlot(opts, data, document.getElementById('uplot'));
            window.plotData = data;
        })", data);
    if (r > 0) uplotFirst.Add(ms);
}
var uplotUpdate = new List<double>();
for (int r = 0; r <= Repeats; r++)
{
    var next = data.Select((d, i) => i == 0 ? d[^1] + 1 + r : d[^1] + random.NextDouble() - 0.5).ToArray();
    var ms = await page.EvaluateAsync<double>(
        @"next => timed(() => {
            window.plotData = window.plotData.map((d, i) => { const grown = new Float64Array(d.length + 1); grown.set(d); grown[d.length] = next[i]; return grown; });
            window.plot.setData(window.plotData);
        })", next);
    if (r > 0) uplotUpdate.Add(ms);
}
var uplotHover = await page.EvaluateAsync<double[]>(
    @"() => { const times = []; for (let i = 0; i < 11; i++) { const t0 = performance.now(); window.plot.setCursor({ left: 300 + i * 20, top: 100 });
              times.push(performance.now() - t0); } return times; }");

static double Median(IEnumerable<double> values) { var v = values.Order().ToArray(); return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2; }
Console.WriteLine($"{seriesCount} series × {points} points, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}, chromium {browser.Version}");
Console.WriteLine($"drawn SVG points per series: {ChartLayout.PointsPerSeries(seriesCount)}; of the server render, the geometry (ChartLayout.Of): {Median(geometry):F1} ms");
Console.WriteLine("| | server render (ms) | browser (ms) | total (ms) | bytes to the browser |");
Console.WriteLine("|---|---|---|---|---|");
Console.WriteLine($"| SVG first render | {Median(svgFirst.Select(x => x.Server)):F1} | {Median(svgFirst.Select(x => x.Browser)):F1} | {Median(svgFirst.Select(x => x.Server + x.Browser)):F1} | |");
Console.WriteLine($"| SVG live update | {Median(svgUpdate.Select(x => x.Server)):F1} | {Median(svgUpdate.Select(x => x.Browser)):F1} | {Median(svgUpdate.Select(x => x.Server + x.Browser)):F1} | {svgUpdate[0].Bytes:N0} |");
Console.WriteLine($"| SVG hover read-out (first, then median) | | {svgHover[0]:F2}, {Median(svgHover.Skip(1)):F2} | | 0 |");
Console.WriteLine($"| uPlot first render | | {Median(uplotFirst):F1} | {Median(uplotFirst):F1} | {8L * seriesCount * points:N0} (doubles) |");
Console.WriteLine($"| uPlot live update | | {Median(uplotUpdate):F1} | {Median(uplotUpdate):F1} | {8L * (seriesCount + 1):N0} (doubles) |");
Console.WriteLine($"| uPlot cursor (first, then median) | | {uplotHover[0]:F2}, {Median(uplotHover.Skip(1)):F2} | | 0 |");
return 0;

// The polylines' points and data-values attributes, in document order.
static List<string[]> PolylineAttributes(string html) =>
    [.. System.Text.RegularExpressions.Regex.Matches(html, "<polyline points=\"([^\"]*)\"[^>]*data-values=\"([^\"]*)\"")
        .Select(m => new[] { m.Groups[1].Value, m.Groups[2].Value })];

static async Task<string> ChartModuleAsync(string root)
{
    var source = await File.ReadAllTextAsync(Path.Combine(root, "wwwroot/js/metric-chart.js"));
    return $"async () => {{ window.chartModule = await import('data:text/javascript;charset=utf-8,' + encodeURIComponent({System.Text.Json.JsonSerializer.Serialize(source)})); }}";
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "AlignLab.sln"))) return dir.FullName;
    throw new DirectoryNotFoundException("AlignLab.sln not found above " + AppContext.BaseDirectory);
}

public partial class Program
{
    /// <summary>timed(change): runs the change, forces style and layout, then waits two animation frames (the frame that
    /// paints the change has then finished); milliseconds from the start of the change.</summary>
    private const string Timing = @"() => {
        window.timed = async change => {
            const t0 = performance.now();
            change();
            document.body.getBoundingClientRect();
            await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
            return performance.now() - t0;
        };
    }";
}

/// <summary>Static rendering runs no JavaScript: the chart's import is never made.</summary>
sealed class NoJavaScript : IJSRuntime
{
    public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) => throw new InvalidOperationException("no JS in static rendering");
    public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) => InvokeAsync<TValue>(identifier, args);
}
