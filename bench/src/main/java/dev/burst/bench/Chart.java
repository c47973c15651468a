package dev.burst.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The run's chart as a hand-written SVG: a bar panel of throughput (burst beside the baseline, every
 * scenario), then latency over time, p50 and p99 per second on a log scale: one panel per Box scenario
 * (burst and baseline), and one per operation phase (reload, restart) with the signals, the operations'
 * outcomes and the failed requests marked. wrk reports whole-run figures only, so HTTP has bars, no lines.
 */
final class Chart {

    private static final int WIDTH = 1100;
    private static final int LEFT = 70;
    private static final int RIGHT = 30;
    private static final String BURST = "#1f77b4";
    private static final String BASE = "#7f7f7f";
    private static final String SIGNAL = "#ff7f0e";
    private static final String OK = "#2ca02c";
    private static final String ERROR = "#d62728";

    private record Series(String name, String color, boolean dashed, List<double[]> points) {
    }

    private Chart() {
    }

    static String svg(String title, List<Scenario.Result> results, List<OperationPhase> phases) {
        StringBuilder body = new StringBuilder();
        int y = 40;
        if (!results.isEmpty()) {
            y = bars(body, results, y) + 30;
        }
        for (Scenario.Result r : results) {
            if (r.burst().stats().timeline().isEmpty()) {
                continue;
            }
            List<Series> s = List.of(
                    series("burst p50", BURST, false, r.burst().stats(), false),
                    series("burst p99", BURST, true, r.burst().stats(), true),
                    series("baseline p50", BASE, false, r.baseline().stats(), false),
                    series("baseline p99", BASE, true, r.baseline().stats(), true));
            y = timeline(body, r.scenario().name() + ": latency per second (" + r.scenario().connections() + " conn x "
                    + r.scenario().inFlight() + " in flight)", s, r.burst().stats(), null, y) + 30;
        }
        for (OperationPhase p : phases) {
            List<Series> s = List.of(series("burst p50", BURST, false, p.stats(), false),
                    series("burst p99", BURST, true, p.stats(), true));
            y = timeline(body, p.name() + " under load: SIG" + p.signal() + " every " + fmt(p.everyS()) + " s, "
                    + p.failed() + " failed request(s)", s, p.stats(), p, y) + 30;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, y));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, y));
        sb.append(text(LEFT, 24, "burst benchmark " + title, "font-size=\"16\" font-weight=\"bold\""));
        sb.append(body);
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static Series series(String name, String color, boolean dashed, LoadStats stats, boolean p99) {
        List<double[]> pts = new ArrayList<>();
        for (LoadStats.Second s : stats.timeline()) {
            double v = p99 ? s.p99Ms() : s.p50Ms();
            if (s.requests() > 0 && v > 0) {
                pts.add(new double[] {s.t() + 0.5, v});
            }
        }
        return new Series(name, color, dashed, pts);
    }

    /** Throughput bars; returns the panel's bottom. */
    private static int bars(StringBuilder sb, List<Scenario.Result> results, int top) {
        int h = 230;
        int plotTop = top + 30;
        int bottom = plotTop + h;
        double max = results.stream().mapToDouble(r -> Math.max(r.burst().stats().throughput(), r.baseline().stats().throughput()))
                .max().orElse(1) * 1.15;
        sb.append(text(LEFT, top + 12, "throughput (req/s): burst vs baseline, ratio above each pair; p50/p99 ms below",
                "font-weight=\"bold\""));
        legend(sb, WIDTH - RIGHT - 260, top + 12, List.of(new Series("burst", BURST, false, List.of()),
                new Series("baseline", BASE, false, List.of())));
        double plotW = WIDTH - LEFT - RIGHT;
        for (int i = 0; i <= 4; i++) {
            double v = max * i / 4;
            double yy = bottom - h * i / 4.0;
            sb.append(line(LEFT, yy, WIDTH - RIGHT, yy, "#e0e0e0", false));
            sb.append(text(LEFT - 6, yy + 4, kilo(v), "text-anchor=\"end\""));
        }
        double group = plotW / results.size();
        double barW = Math.min(60, group / 3);
        for (int i = 0; i < results.size(); i++) {
            Scenario.Result r = results.get(i);
            double cx = LEFT + group * (i + 0.5);
            double[] vals = {r.burst().stats().throughput(), r.baseline().stats().throughput()};
            String[] colors = {BURST, BASE};
            for (int k = 0; k < 2; k++) {
                double bh = h * vals[k] / max;
                double x = cx - barW + k * barW;
                sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
                        x + 2, bottom - bh, barW - 4, bh, colors[k]));
                sb.append(text(x + barW / 2, bottom - bh - 4, kilo(vals[k]), "text-anchor=\"middle\" font-size=\"11\""));
            }
            sb.append(text(cx, plotTop - 2, String.format(Locale.ROOT, "%.2fx", r.throughputRatio()),
                    "text-anchor=\"middle\" font-weight=\"bold\""));
            sb.append(text(cx, bottom + 16, r.scenario().name(), "text-anchor=\"middle\" font-weight=\"bold\""));
            sb.append(text(cx, bottom + 30, String.format(Locale.ROOT, "burst %s / %s", fmt(r.burst().stats().p50Ms()),
                    fmt(r.burst().stats().p99Ms())), "text-anchor=\"middle\" font-size=\"10\" fill=\"" + BURST + "\""));
            sb.append(text(cx, bottom + 42, String.format(Locale.ROOT, "base %s / %s", fmt(r.baseline().stats().p50Ms()),
                    fmt(r.baseline().stats().p99Ms())), "text-anchor=\"middle\" font-size=\"10\" fill=\"" + BASE + "\""));
        }
        sb.append(line(LEFT, bottom, WIDTH - RIGHT, bottom, "black", false));
        return bottom + 46;
    }

    /** Latency per second on a log scale, with the operation phase's marks if any; returns the bottom. */
    private static int timeline(StringBuilder sb, String title, List<Series> series, LoadStats stats, OperationPhase phase, int top) {
        int h = 200;
        int plotTop = top + 24;
        int bottom = plotTop + h;
        double seconds = Math.max(1, stats.timeline().size());
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (Series s : series) {
            for (double[] p : s.points()) {
                lo = Math.min(lo, p[1]);
                hi = Math.max(hi, p[1]);
            }
        }
        if (hi == 0) {
            lo = 0.01;
            hi = 1;
        }
        double dLo = Math.floor(Math.log10(lo));
        double dHi = Math.max(dLo + 1, Math.ceil(Math.log10(hi)));
        double plotW = WIDTH - LEFT - RIGHT;
        java.util.function.DoubleUnaryOperator xOf = t -> LEFT + plotW * t / seconds;
        java.util.function.DoubleUnaryOperator yOf = v -> bottom - h * (Math.log10(v) - dLo) / (dHi - dLo);

        sb.append(text(LEFT, top + 12, title, "font-weight=\"bold\""));
        legend(sb, WIDTH - RIGHT - 520, top + 12, series);
        if (phase != null) {
            double x0 = xOf.applyAsDouble(phase.bounds()[0]);
            double x1 = xOf.applyAsDouble(phase.bounds()[1]);
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#fff3e0\"/>%n",
                    x0, plotTop, x1 - x0, h));
            sb.append(text((x0 + x1) / 2, bottom - 4, "during (signals sent)", "text-anchor=\"middle\" fill=\"#b0b0b0\""));
        }
        for (double d = dLo; d <= dHi; d++) {
            double yy = yOf.applyAsDouble(Math.pow(10, d));
            sb.append(line(LEFT, yy, WIDTH - RIGHT, yy, "#e0e0e0", false));
            sb.append(text(LEFT - 6, yy + 4, fmt(Math.pow(10, d)) + " ms", "text-anchor=\"end\""));
        }
        int step = seconds > 30 ? 5 : seconds > 12 ? 2 : 1;
        for (int t = 0; t <= seconds; t += step) {
            double xx = xOf.applyAsDouble(t);
            sb.append(line(xx, bottom, xx, bottom + 4, "black", false));
            sb.append(text(xx, bottom + 16, t + "s", "text-anchor=\"middle\""));
        }
        sb.append(line(LEFT, bottom, WIDTH - RIGHT, bottom, "black", false));
        sb.append(line(LEFT, plotTop, LEFT, bottom, "black", false));
        for (Series s : series) {
            if (s.points().isEmpty()) {
                continue;
            }
            StringBuilder pts = new StringBuilder();
            for (double[] p : s.points()) {
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", xOf.applyAsDouble(p[0]), yOf.applyAsDouble(p[1])));
            }
            sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s points=\"%s\"/>%n",
                    s.color(), s.dashed() ? " stroke-dasharray=\"5,3\"" : "", pts.toString().trim()));
        }
        for (LoadStats.Second s : stats.timeline()) {
            if (s.errors() > 0) {
                double xx = xOf.applyAsDouble(s.t() + 0.5);
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%d\" r=\"4\" fill=\"%s\"/>%n", xx, bottom - 12, ERROR));
                sb.append(text(xx + 6, bottom - 8, s.errors() + " failed", "fill=\"" + ERROR + "\" font-size=\"10\""));
            }
        }
        if (phase != null) {
            for (double t : phase.signals()) {
                double xx = xOf.applyAsDouble(t);
                sb.append(line(xx, plotTop, xx, bottom, SIGNAL, true));
                sb.append(text(xx + 2, plotTop + 10, phase.signal(), "fill=\"" + SIGNAL + "\" font-size=\"10\""));
            }
            for (OperationPhase.Outcome o : phase.outcomes()) {
                double xx = xOf.applyAsDouble(Math.max(0, Math.min(seconds, o.t())));
                String c = o.ok() ? OK : ERROR;
                sb.append(line(xx, plotTop + 14, xx, bottom, c, true));
                sb.append(String.format(Locale.ROOT, "<path d=\"M%.1f,%d l-4,-7 h8 z\" fill=\"%s\"/>%n", xx, plotTop + 20, c));
            }
            sb.append(text(LEFT, bottom + 30, "orange: signal sent; green/red triangle: operation done/failed (burst's log)"
                    + "; red dots: failed requests", "font-size=\"10\" fill=\"#555\""));
            return bottom + 34;
        }
        return bottom + 20;
    }

    private static void legend(StringBuilder sb, int x, int y, List<Series> series) {
        int at = x;
        for (Series s : series) {
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"%s/>%n",
                    at, y - 4, at + 22, y - 4, s.color(), s.dashed() ? " stroke-dasharray=\"5,3\"" : ""));
            sb.append(text(at + 26, y, s.name(), ""));
            at += 36 + s.name().length() * 7;
        }
    }

    private static String line(double x1, double y1, double x2, double y2, String color, boolean dashed) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>%n",
                x1, y1, x2, y2, color, dashed ? " stroke-dasharray=\"3,3\"" : "");
    }

    private static String text(double x, double y, String s, String attrs) {
        String esc = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" %s>%s</text>%n", x, y, attrs, esc);
    }

    private static String kilo(double v) {
        return v >= 1000 ? String.format(Locale.ROOT, "%.1fk", v / 1000) : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String fmt(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (v >= 1) {
            return String.format(Locale.ROOT, "%.2f", v).replaceAll("\\.?0+$", "");
        }
        return String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
