package org.dnnc.compiler.sema;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The resolved {@code train { }} section: every setting with its value (defaults included),
 * the directives in order, and the augmentations per input.
 *
 * @param declared   whether the network has a train section at all
 * @param settings   setting name -> value (Long, Double, {@link Option}; absent when off, e.g. clip_norm)
 * @param directives early_stop, freeze, load_weights, in source order
 * @param augment    input name -> augmentations in order
 * @param frozen     the parameters and buffers that {@code freeze} directives keep fixed, sorted
 */
public record TrainConfig(boolean declared, Map<String, Object> settings, List<Option> directives,
        Map<String, List<Option>> augment, Set<String> frozen) {

    public TrainConfig {
        // Ordered copies, so that dumps of the configuration are deterministic.
        settings = Collections.unmodifiableMap(new TreeMap<>(settings));
        directives = List.copyOf(directives);
        augment = Collections.unmodifiableMap(new LinkedHashMap<>(augment));
        frozen = Collections.unmodifiableSet(new TreeSet<>(frozen));
    }

    /**
     * This configuration with {@code batch} examples per step instead of the section's: a tool's
     * override (such as {@code dnnc bench --batch}), which the generated class is then planned for.
     */
    public TrainConfig withBatch(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("a batch has at least 1 example, got " + batch);
        }
        Map<String, Object> changed = new LinkedHashMap<>(settings);
        changed.put("batch", (long) batch);
        return new TrainConfig(declared, changed, directives, augment, frozen);
    }

    public int batch() {
        return Math.toIntExact((Long) settings.get("batch"));
    }

    public int epochs() {
        return Math.toIntExact((Long) settings.get("epochs"));
    }

    public Option optimizer() {
        return (Option) settings.get("optimizer");
    }

    public Option schedule() {
        return (Option) settings.get("schedule");
    }

    public Option init() {
        return (Option) settings.get("init");
    }
}
