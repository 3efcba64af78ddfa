package org.dnnc.compiler.sema;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every name the language knows — layers, losses, optimizers, schedules, initializers,
 * augmentations, train settings and directives — in one table. The grammar knows none of them.
 */
public final class Registry {
    private static final Registry STANDARD = buildStandard();

    private final Map<String, RegistryEntry> entries;

    private Registry(Map<String, RegistryEntry> entries) {
        this.entries = Map.copyOf(entries);
    }

    /** The built-in registry. */
    public static Registry standard() {
        return STANDARD;
    }

    public Optional<RegistryEntry> lookup(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    public Optional<LayerSpec> layer(String name) {
        return lookup(name).filter(LayerSpec.class::isInstance).map(LayerSpec.class::cast);
    }

    public Optional<OptionSpec> option(String name, Category category) {
        return lookup(name)
                .filter(e -> e.category() == category && e instanceof OptionSpec)
                .map(OptionSpec.class::cast);
    }

    /** Names of one category, sorted. */
    public List<String> names(Category category) {
        return entries.values().stream()
                .filter(e -> e.category() == category)
                .map(RegistryEntry::name)
                .sorted()
                .toList();
    }

    /** Every entry, sorted by category then name (the order of the docs). */
    public List<RegistryEntry> all() {
        return entries.values().stream()
                .sorted(java.util.Comparator.comparing(RegistryEntry::category).thenComparing(RegistryEntry::name))
                .toList();
    }

    /** Collects entries; a name may be registered once across all categories. */
    static final class Builder {
        private final Map<String, RegistryEntry> entries = new LinkedHashMap<>();

        void add(RegistryEntry entry) {
            if (entries.putIfAbsent(entry.name(), entry) != null) {
                throw new IllegalStateException("registry name registered twice: " + entry.name());
            }
        }

        void addAll(Collection<? extends RegistryEntry> list) {
            list.forEach(this::add);
        }
    }

    private static Registry buildStandard() {
        Builder b = new Builder();
        CoreLayers.register(b);
        ActivationLayers.register(b);
        ConvLayers.register(b);
        NormLayers.register(b);
        RecurrentLayers.register(b);
        DecoderLayers.register(b);
        Losses.register(b);
        TrainOptions.register(b);
        return new Registry(b.entries);
    }
}
