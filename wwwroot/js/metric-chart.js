// The browser side of MetricChart (Components/Shared/MetricChart.razor). The server draws the SVG; this module adds
// what must answer at the speed of the mouse, without a round trip:
// - a crosshair that follows the pointer, with every series' value at the nearest drawn point;
// - drag across the plot to zoom to that x-range (the server redraws at the new range), double-click to reset.
// The geometry constants match ChartLayout.cs; the SVG carries its x-range in data-min-x / data-max-x and each
// polyline its values in data-values.

const WIDTH = 800, LEFT = 56, RIGHT = 12;
const PLOT = WIDTH - LEFT - RIGHT;
const parsed = new WeakMap();

/** The polyline's x coordinates and values, parsed once per points attribute. */
function pointsOf(line) {
  const points = line.getAttribute('points') || '';
  const cached = parsed.get(line);
  if (cached && cached.points === points) return cached;
  const xs = [];
  for (const pair of points.split(' ')) if (pair) xs.push(parseFloat(pair));
  const entry = { points, xs, values: (line.dataset.values || '').split(' ') };
  parsed.set(line, entry);
  return entry;
}

/** The index of the x closest to x in an ascending array. */
function nearest(xs, x) {
  let lo = 0, hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid; else hi = mid;
  }
  return Math.abs(xs[hi] - x) < Math.abs(xs[lo] - x) ? hi : lo;
}

function formatSeconds(s) {
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

export function attach(container, dotnet) {
  // The chart may be gone before this call arrives (the page navigated on): its element is then null.
  if (!container) return;
  detach(container);
  const controller = new AbortController();
  container._metricChart = controller;
  let dragFrom = null;

  const parts = () => {
    const frame = container.querySelector('.chart-frame');
    const svg = frame && frame.querySelector('svg');
    return svg ? { frame, svg, crosshair: frame.querySelector('.chart-crosshair'), band: frame.querySelector('.chart-band'),
                   tooltip: frame.querySelector('.chart-tooltip') } : null;
  };
  // The pointer in SVG units (the viewBox is WIDTH wide and stretched to the element's width).
  const svgX = (p, event) => {
    const rect = p.svg.getBoundingClientRect();
    return (event.clientX - rect.left) / rect.width * WIDTH;
  };
  const cssX = (p, x) => x / WIDTH * p.svg.getBoundingClientRect().width;
  const inPlot = x => x >= LEFT && x <= WIDTH - RIGHT;
  const hide = p => { for (const el of [p.crosshair, p.tooltip]) el.style.display = 'none'; };

  const showCrosshair = (p, x) => {
    const minX = parseFloat(p.svg.dataset.minX), maxX = parseFloat(p.svg.dataset.maxX);
    const at = minX + (x - LEFT) / PLOT * (maxX - minX);
    const label = p.svg.dataset.axis === 'time' ? formatSeconds(at) : `step ${Math.round(at)}`;
    const rows = [];
    for (const line of p.svg.querySelectorAll('polyline[data-series]')) {
      const { xs, values } = pointsOf(line);
      if (xs.length === 0) continue;
      const i = nearest(xs, x);
      rows.push(`<div class="chart-tooltip-row"><span class="swatch" style="background:${line.getAttribute('stroke')}"></span>` +
                `${escapeHtml(line.dataset.series)}: <b>${escapeHtml(values[i] ?? '')}</b></div>`);
    }
    p.crosshair.style.display = 'block';
    p.crosshair.style.left = `${cssX(p, x)}px`;
    p.tooltip.innerHTML = `<div class="chart-tooltip-x">${label}</div>${rows.join('')}`;
    p.tooltip.style.display = 'block';
    const width = p.svg.getBoundingClientRect().width;
    const left = cssX(p, x);
    p.tooltip.style.left = left > width / 2 ? '' : `${left + 12}px`;
    p.tooltip.style.right = left > width / 2 ? `${width - left + 12}px` : '';
  };

  const options = { signal: controller.signal };
  container.addEventListener('mousemove', event => {
    const p = parts();
    if (!p) return;
    const x = svgX(p, event);
    if (!inPlot(x) || event.target.closest('.chart-frame') !== p.frame) { hide(p); return; }
    showCrosshair(p, x);
    if (dragFrom !== null) {
      const [a, b] = [Math.min(dragFrom, x), Math.max(dragFrom, x)];
      p.band.style.display = 'block';
      p.band.style.left = `${cssX(p, a)}px`;
      p.band.style.width = `${cssX(p, b - a)}px`;
    }
  }, options);
  container.addEventListener('mouseleave', () => {
    const p = parts();
    if (p) { hide(p); p.band.style.display = 'none'; }
    dragFrom = null;
  }, options);
  container.addEventListener('mousedown', event => {
    const p = parts();
    if (!p || event.button !== 0) return;
    const x = svgX(p, event);
    if (inPlot(x) && event.target.closest('.chart-frame') === p.frame) { dragFrom = x; event.preventDefault(); }
  }, options);
  container.addEventListener('mouseup', event => {
    const p = parts();
    if (!p || dragFrom === null) return;
    const x = Math.min(Math.max(svgX(p, event), LEFT), WIDTH - RIGHT);
    const [a, b] = [Math.min(dragFrom, x), Math.max(dragFrom, x)];
    dragFrom = null;
    p.band.style.display = 'none';
    if (b - a >= 4) dotnet.invokeMethodAsync('ZoomTo', (a - LEFT) / PLOT, (b - LEFT) / PLOT);
  }, options);
  container.addEventListener('dblclick', event => {
    const p = parts();
    if (p && event.target.closest('.chart-frame') === p.frame) dotnet.invokeMethodAsync('ResetZoom');
  }, options);
}

export function detach(container) {
  if (container && container._metricChart) {
    container._metricChart.abort();
    delete container._metricChart;
  }
}
