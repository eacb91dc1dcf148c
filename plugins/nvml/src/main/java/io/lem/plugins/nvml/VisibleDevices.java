package io.lem.plugins.nvml;

import io.lem.api.plugin.PluginException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which GPUs {@code CUDA_VISIBLE_DEVICES} leaves to this process, following CUDA's rules: unset means all; set but
 * empty means none; otherwise a comma-separated list of indices or {@code GPU-…} UUID prefixes (unique ones), in that
 * order, where the first invalid entry hides itself and everything after it. Indices are NVML's, i.e. PCI bus order,
 * which is CUDA's order under {@code CUDA_DEVICE_ORDER=PCI_BUS_ID}. A repeated GPU is counted once.
 */
final class VisibleDevices {

    static final String VARIABLE = "CUDA_VISIBLE_DEVICES";

    /**
     * @param indices NVML indices, in CUDA's order
     * @param note    why the list stops early or is empty; empty when it does not
     */
    record Selection(List<Integer> indices, String note) {
        Selection {
            indices = List.copyOf(indices);
        }
    }

    private VisibleDevices() {
    }

    /**
     * @param value the variable, null when unset
     * @param uuids UUID of each NVML index, null where NVML could not tell
     * @throws PluginException when an entry names a MIG instance (see {@link MigSupport})
     */
    static Selection select(String value, List<String> uuids) throws PluginException {
        if (value == null) {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < uuids.size(); i++) {
                all.add(i);
            }
            return new Selection(all, "");
        }
        if (value.isBlank()) {
            return new Selection(List.of(), VARIABLE + " is set but empty, which hides every GPU");
        }
        List<Integer> chosen = new ArrayList<>();
        for (String raw : value.split(",", -1)) {
            String entry = raw.strip();
            if (startsWithIgnoreCase(entry, "MIG-")) {
                throw new PluginException(MigSupport.visibleDevicesEntry(entry));
            }
            int index = resolve(entry, uuids);
            if (index < 0) {
                return new Selection(chosen, "entry '" + entry + "' of " + VARIABLE + "='" + value + "' is not a GPU index"
                        + " (0.." + (uuids.size() - 1) + ") or a unique GPU-… UUID prefix here; as in CUDA, it and the"
                        + " entries after it are ignored");
            }
            if (!chosen.contains(index)) {
                chosen.add(index);
            }
        }
        return new Selection(chosen, "");
    }

    private static int resolve(String entry, List<String> uuids) {
        if (!entry.isEmpty() && entry.length() <= 9 && entry.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int index = Integer.parseInt(entry);
            return index < uuids.size() ? index : -1;
        }
        if (!startsWithIgnoreCase(entry, "GPU-")) {
            return -1;
        }
        String prefix = entry.toLowerCase(Locale.ROOT);
        int found = -1;
        for (int i = 0; i < uuids.size(); i++) {
            String uuid = uuids.get(i);
            if (uuid != null && uuid.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                if (found >= 0) {
                    return -1; // ambiguous, as CUDA treats it
                }
                found = i;
            }
        }
        return found;
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }
}
