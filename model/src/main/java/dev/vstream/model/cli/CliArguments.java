package dev.vstream.model.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One verb's command line split into positional arguments and {@code --name value} options
 * ({@code --name} alone for a flag). Every problem is an {@link IllegalArgumentException}
 * whose message is shown to the user with the usage (exit status 2).
 */
final class CliArguments {

    private final List<String> positional = new ArrayList<>();
    private final Map<String, String> options = new HashMap<>();

    /**
     * @param valued options that take a value, e.g. {@code "--ids"}
     * @param flags  options that take none, e.g. {@code "--all-positions"}
     */
    CliArguments(List<String> args, Set<String> valued, Set<String> flags) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (flags.contains(arg)) {
                options.put(arg, "");
            } else if (valued.contains(arg)) {
                if (i + 1 == args.size()) {
                    throw new IllegalArgumentException(arg + " needs a value");
                }
                if (options.put(arg, args.get(++i)) != null) {
                    throw new IllegalArgumentException(arg + " given twice");
                }
            } else if (arg.startsWith("--")) {
                throw new IllegalArgumentException("unknown option " + arg);
            } else {
                positional.add(arg);
            }
        }
    }

    /** Exactly {@code count} positional arguments, named in the error. */
    List<String> positional(String... names) {
        if (positional.size() != names.length) {
            throw new IllegalArgumentException("expected " + String.join(" ", names) + ", got "
                    + (positional.isEmpty() ? "nothing" : String.join(" ", positional)));
        }
        return List.copyOf(positional);
    }

    boolean has(String option) {
        return options.containsKey(option);
    }

    String string(String option) {
        return options.get(option);
    }

    int intValue(String option, int defaultValue, int min) {
        if (!has(option)) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(options.get(option).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be an integer, got '" + options.get(option) + "'");
        }
        if (value < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    long longValue(String option, long defaultValue) {
        if (!has(option)) {
            return defaultValue;
        }
        try {
            return Long.parseLong(options.get(option).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be an integer, got '" + options.get(option) + "'");
        }
    }

    double doubleValue(String option, double defaultValue) {
        if (!has(option)) {
            return defaultValue;
        }
        try {
            return Double.parseDouble(options.get(option).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a number, got '" + options.get(option) + "'");
        }
    }

    /** {@code --ids 1,2,3}: at least one non-negative id. */
    int[] ids(String option) {
        String text = options.get(option);
        String[] parts = text.split(",", -1);
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " must be comma-separated token ids, got '" + text + "'");
            }
            if (ids[i] < 0) {
                throw new IllegalArgumentException(option + ": negative token id " + ids[i]);
            }
        }
        return ids;
    }
}
