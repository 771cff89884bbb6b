package dev.vstream.model.loader;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.Collectors;

/**
 * Suggestions for a tensor name that is not there. A wrong name is usually a near miss of the
 * right one (a layer index, {@code mamba} vs {@code mixer}, {@code weight} vs {@code bias}), so
 * the existing names closest in edit distance are what the user wants to see.
 */
final class NearestNames {

    static final int SUGGESTIONS = 3;
    /** Names are compared on at most this many characters; the error path must stay fast. */
    private static final int MAX_COMPARED_LENGTH = 256;

    private NearestNames() {}

    /** "; nearest: 'a', 'b', 'c'" for a message, or "" when there is nothing to suggest. */
    static String suffix(String target, Collection<String> names) {
        List<String> nearest = nearest(target, names, SUGGESTIONS);
        return nearest.isEmpty() ? "" : "; nearest: "
                + nearest.stream().map(ModelLoadException::quote).collect(Collectors.joining(", "));
    }

    /** Up to {@code limit} names, closest first; ties broken alphabetically for stable messages. */
    static List<String> nearest(String target, Collection<String> names, int limit) {
        record Scored(String name, int distance) {}
        Comparator<Scored> closestFirst =
                Comparator.comparingInt(Scored::distance).thenComparing(Scored::name);
        // Max-heap of the best `limit` so far: its head is the worst one kept.
        PriorityQueue<Scored> best = new PriorityQueue<>(closestFirst.reversed());
        String a = cut(target);
        for (String name : names) {
            String b = cut(name);
            // The length difference is a lower bound of the edit distance: skip hopeless names.
            if (best.size() == limit && Math.abs(a.length() - b.length()) > best.peek().distance()) {
                continue;
            }
            best.add(new Scored(name, editDistance(a, b)));
            if (best.size() > limit) {
                best.poll();
            }
        }
        List<Scored> sorted = new ArrayList<>(best);
        sorted.sort(closestFirst);
        return sorted.stream().map(Scored::name).toList();
    }

    /** Levenshtein distance (insert, delete, substitute each cost 1), two-row dynamic program. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static String cut(String name) {
        return name.length() <= MAX_COMPARED_LENGTH ? name : name.substring(0, MAX_COMPARED_LENGTH);
    }
}
