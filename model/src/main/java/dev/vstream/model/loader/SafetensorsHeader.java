package dev.vstream.model.loader;

import static dev.vstream.model.loader.ModelLoadException.quote;

import dev.vstream.kernels.tensor.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * The parsed and fully validated header of a safetensors file.
 *
 * <p>Format: bytes 0..7 hold N, an unsigned little-endian 64-bit header length; bytes 8..8+N-1
 * hold a UTF-8 JSON object that begins with '{' and may be padded with trailing spaces; the data
 * section is the rest of the file. Each member maps a tensor name to
 * {@code {"dtype": "BF16", "shape": [d0, d1, ...], "data_offsets": [begin, end]}} with offsets
 * relative to the data section; the optional member {@code "__metadata__"} maps strings to
 * strings. Tensors are little-endian and row-major.
 *
 * <p>Everything is checked before a byte of tensor data is touched, so a hostile file is an
 * error, never an out-of-bounds read, a huge allocation or a hang. Unlike the reference writer,
 * holes in the data section are tolerated (a file is usable without them being filled), but
 * overlapping tensors are not.
 *
 * @param dataStart absolute file offset of the data section ({@code 8 + N})
 * @param tensors   entries in header order
 * @param metadata  the {@code __metadata__} strings, empty when absent
 */
record SafetensorsHeader(
        long dataStart, SequencedMap<String, TensorInfo> tensors, Map<String, String> metadata) {

    /** The reference implementation's limit; the largest real headers are a few MB. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    /**
     * Tensors per file. The largest real checkpoints hold about 10^5 tensors in all their
     * shards; the cap bounds the heap a hostile 100 MB header can claim.
     */
    static final int MAX_TENSORS = 1 << 18;
    /** Entries of {@code __metadata__}, capped for the same reason. */
    static final int MAX_METADATA_ENTRIES = 1 << 16;
    /** Root object, entry object, arrays: a valid header never nests deeper. */
    private static final int MAX_DEPTH = 3;
    private static final String METADATA_KEY = "__metadata__";
    private static final ValueLayout.OfLong U64_LE =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    SafetensorsHeader {
        tensors = Collections.unmodifiableSequencedMap(tensors);
        metadata = Collections.unmodifiableMap(metadata);
    }

    /** Parses the header of {@code file} (the whole file's bytes); {@code source} names it. */
    static SafetensorsHeader parse(String source, MemorySegment file) {
        long fileSize = file.byteSize();
        if (fileSize < Long.BYTES) {
            throw fail(source, "file has " + fileSize + " bytes, too short for the 8-byte header length");
        }
        long headerLength = file.get(U64_LE, 0);
        // Negative as a signed long means >= 2^63 unsigned: over the cap as well.
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw fail(source, "header length " + Long.toUnsignedString(headerLength)
                    + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (headerLength > fileSize - Long.BYTES) {
            throw fail(source, "header length " + headerLength + " exceeds the "
                    + (fileSize - Long.BYTES) + " bytes that follow it");
        }
        if (headerLength < 2) {
            throw fail(source, "header length " + headerLength + " is too short for a JSON object");
        }
        byte firstByte = file.get(ValueLayout.JAVA_BYTE, Long.BYTES);
        if (firstByte != '{') {
            throw fail(source, String.format("header must begin with '{' but begins with byte 0x%02x",
                    firstByte & 0xFF));
        }
        // Decoded straight from the mapping: the header bytes are never copied to the heap.
        String text = JsonReader.decodeUtf8(
                file.asSlice(Long.BYTES, headerLength).asByteBuffer(), source + ": header");
        long dataStart = Long.BYTES + headerLength;
        return readHeader(source, new JsonReader(text, source, MAX_DEPTH), dataStart, fileSize - dataStart);
    }

    private static SafetensorsHeader readHeader(String source, JsonReader reader, long dataStart, long dataLength) {
        SequencedMap<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();
        boolean sawMetadata = false;
        reader.beginObject();
        while (reader.hasNextMember()) {
            reader.setContext("");
            String name = reader.nextName();
            if (tensors.containsKey(name) || (sawMetadata && name.equals(METADATA_KEY))) {
                throw reader.error("duplicate key " + quote(name));
            }
            if (name.equals(METADATA_KEY)) {
                sawMetadata = true;
                metadata = readMetadata(reader);
            } else {
                if (tensors.size() == MAX_TENSORS) {
                    throw reader.error("more than " + MAX_TENSORS + " tensors in one file");
                }
                tensors.put(name, readEntry(source, reader, name, dataLength));
            }
        }
        reader.setContext("");
        reader.endDocument();
        checkNoOverlap(source, tensors);
        return new SafetensorsHeader(dataStart, tensors, metadata);
    }

    private static Map<String, String> readMetadata(JsonReader reader) {
        Map<String, String> metadata = new LinkedHashMap<>();
        reader.setContext(METADATA_KEY);
        reader.beginObject();
        while (reader.hasNextMember()) {
            String key = reader.nextName();
            if (metadata.containsKey(key)) {
                throw reader.error("duplicate key " + quote(key));
            }
            if (metadata.size() == MAX_METADATA_ENTRIES) {
                throw reader.error("more than " + MAX_METADATA_ENTRIES + " entries");
            }
            if (reader.peek() != JsonReader.Kind.STRING) {
                throw reader.error("value of " + quote(key) + " must be a string");
            }
            metadata.put(key, reader.nextString());
        }
        return metadata;
    }

    private static TensorInfo readEntry(String source, JsonReader reader, String name, long dataLength) {
        reader.setContext("tensor " + quote(name));
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        reader.beginObject();
        while (reader.hasNextMember()) {
            String field = reader.nextName();
            switch (field) {
                case "dtype" -> {
                    requireFirst(reader, field, dtypeName);
                    dtypeName = reader.nextString();
                }
                case "shape" -> {
                    requireFirst(reader, field, shape);
                    shape = readNonNegativeLongs(reader, field, Shape.MAX_RANK);
                }
                case "data_offsets" -> {
                    requireFirst(reader, field, offsets);
                    offsets = readNonNegativeLongs(reader, field, 2);
                }
                default -> throw reader.error("unknown field " + quote(field));
            }
        }
        String what = "tensor " + quote(name);
        if (dtypeName == null || shape == null || offsets == null) {
            String missing = dtypeName == null ? "dtype" : shape == null ? "shape" : "data_offsets";
            throw fail(source, what + ": missing field '" + missing + "'");
        }
        String dtypeNameFinal = dtypeName;
        SafetensorsDType dtype = SafetensorsDType.byName(dtypeName)
                .orElseThrow(() -> fail(source, what + ": unknown dtype " + quote(dtypeNameFinal)));
        if (offsets.length != 2) {
            throw fail(source, what + ": data_offsets must hold 2 numbers, has " + offsets.length);
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw fail(source, what + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        if (end > dataLength) {
            throw fail(source, what + ": data_offsets [" + begin + ", " + end
                    + "] reach past the end of the data section (" + dataLength + " bytes)");
        }
        long elements = elementCount(shape);
        long bytes = elements < 0 ? -1 : dtype.byteSize(elements);
        if (bytes < 0) {
            throw fail(source, what + ": shape " + Arrays.toString(shape) + " of " + dtype
                    + " has a byte size that overflows or is not a whole number of bytes");
        }
        if (bytes != end - begin) {
            throw fail(source, what + ": data_offsets [" + begin + ", " + end + "] span " + (end - begin)
                    + " bytes but shape " + Arrays.toString(shape) + " of " + dtype + " needs " + bytes);
        }
        return new TensorInfo(name, dtype, new Shape(shape), begin, end);
    }

    private static void requireFirst(JsonReader reader, String field, Object previous) {
        if (previous != null) {
            throw reader.error("duplicate key " + quote(field));
        }
    }

    /** Reads an array of at most {@code max} non-negative integers. */
    private static long[] readNonNegativeLongs(JsonReader reader, String field, int max) {
        long[] values = new long[max];
        int count = 0;
        reader.beginArray();
        while (reader.hasNextElement()) {
            if (count == max) {
                throw reader.error(field + " has more than " + max + " entries");
            }
            long value = reader.nextLong();
            if (value < 0) {
                throw reader.error(field + " holds the negative value " + value);
            }
            values[count++] = value;
        }
        return Arrays.copyOf(values, count);
    }

    /** Product of the dimensions, or -1 on overflow (a hostile header, not a real tensor). */
    private static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            if (dim != 0 && count > Long.MAX_VALUE / dim) {
                return -1;
            }
            count *= dim;
        }
        return count;
    }

    /** Sorted by start, every non-empty range must begin at or after the furthest end so far. */
    private static void checkNoOverlap(String source, Map<String, TensorInfo> tensors) {
        List<TensorInfo> byBegin = new ArrayList<>(tensors.values());
        byBegin.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        TensorInfo furthest = null;
        for (TensorInfo info : byBegin) {
            if (info.byteSize() == 0) {
                continue;
            }
            if (furthest != null && info.begin() < furthest.end()) {
                throw fail(source, "tensor " + quote(info.name()) + " (bytes " + info.begin() + ".."
                        + info.end() + ") overlaps tensor " + quote(furthest.name()) + " (bytes "
                        + furthest.begin() + ".." + furthest.end() + ")");
            }
            if (furthest == null || info.end() > furthest.end()) {
                furthest = info;
            }
        }
    }

    private static ModelLoadException fail(String source, String problem) {
        return new ModelLoadException(source + ": " + problem);
    }
}
