package dev.vstream.ingest.sample;

import java.awt.Graphics2D;

/**
 * Digits, ':' and '.' drawn as seven-segment bars with filled rectangles: no fonts needed, so the sample
 * video looks the same on every machine (headless containers often have none).
 */
final class SevenSegment {
    /** Segments a..g per digit, bit 0 = a (top), then b (top right), c, d (bottom), e, f (top left), g (middle). */
    private static final int[] DIGITS = {0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F};
    private final int height;
    private final int digitWidth;
    private final int thickness;

    SevenSegment(int height) {
        this.height = height;
        this.digitWidth = Math.max(5, height / 2);
        this.thickness = Math.max(1, height / 10);
    }

    int width(String text) {
        int w = 0;
        for (int i = 0; i < text.length(); i++) {
            w += advance(text.charAt(i));
        }
        return w;
    }

    void draw(Graphics2D g, String text, int x, int y) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                drawDigit(g, DIGITS[c - '0'], x, y);
            } else if (c == ':') {
                g.fillRect(x, y + height / 3 - thickness / 2, thickness, thickness);
                g.fillRect(x, y + 2 * height / 3 - thickness / 2, thickness, thickness);
            } else if (c == '.') {
                g.fillRect(x, y + height - thickness, thickness, thickness);
            }
            x += advance(c);
        }
    }

    private int advance(char c) {
        return (c >= '0' && c <= '9' ? digitWidth : thickness) + Math.max(2, thickness * 2);
    }

    private void drawDigit(Graphics2D g, int segments, int x, int y) {
        int w = digitWidth;
        int half = height / 2;
        int t = thickness;
        if ((segments & 0x01) != 0) g.fillRect(x, y, w, t);
        if ((segments & 0x02) != 0) g.fillRect(x + w - t, y, t, half);
        if ((segments & 0x04) != 0) g.fillRect(x + w - t, y + half, t, height - half);
        if ((segments & 0x08) != 0) g.fillRect(x, y + height - t, w, t);
        if ((segments & 0x10) != 0) g.fillRect(x, y + half, t, height - half);
        if ((segments & 0x20) != 0) g.fillRect(x, y, t, half);
        if ((segments & 0x40) != 0) g.fillRect(x, y + half - t / 2, w, t);
    }
}
