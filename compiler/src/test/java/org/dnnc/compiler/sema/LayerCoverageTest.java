package org.dnnc.compiler.sema;

import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every layer and loss of the registry has a shape test: some test method of a
 * {@link ShapeTestSupport} class is marked {@code @Covers} with its name (and, when it runs, checks
 * that it really compiled that layer). A layer added to the registry without a test fails here.
 */
class LayerCoverageTest {

    @Test
    void everyRegistryLayerHasAShapeTest() throws Exception {
        Set<String> covered = covered();
        Set<String> missing = new TreeSet<>(layerNames());
        missing.removeAll(covered);
        assertWithMessage("registry layers without a @Covers shape test (covered: %s)", covered).that(missing).isEmpty();
    }

    @Test
    void coversNamesOnlyRegistryLayers() throws Exception {
        Set<String> unknown = new TreeSet<>(covered());
        unknown.removeAll(layerNames());
        assertWithMessage("@Covers names that are not registry layers").that(unknown).isEmpty();
    }

    /** A @Covers on a method that does not run would claim coverage it never checks. */
    @Test
    void coversMarksOnlyTests() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Class<?> c : shapeTestClasses()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(ShapeTestSupport.Covers.class) && !m.isAnnotationPresent(Test.class)) {
                    wrong.add(c.getSimpleName() + "." + m.getName());
                }
            }
        }
        assertWithMessage("@Covers without @Test").that(wrong).isEmpty();
    }

    private static Set<String> layerNames() {
        Set<String> names = new TreeSet<>();
        for (RegistryEntry e : Registry.standard().all()) {
            if (e instanceof LayerSpec) {
                names.add(e.name());
            }
        }
        return names;
    }

    private static Set<String> covered() throws Exception {
        Set<String> covered = new TreeSet<>();
        for (Class<?> c : shapeTestClasses()) {
            for (Method m : c.getDeclaredMethods()) {
                ShapeTestSupport.Covers covers = m.getAnnotation(ShapeTestSupport.Covers.class);
                if (covers != null) {
                    covered.addAll(List.of(covers.value()));
                }
            }
        }
        return covered;
    }

    /** The concrete subclasses of {@link ShapeTestSupport} next to this class, found on the class path. */
    private static List<Class<?>> shapeTestClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path dir = Path.of(LayerCoverageTest.class.getResource("LayerCoverageTest.class").toURI()).getParent();
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                String file = p.getFileName().toString();
                if (!file.endsWith(".class") || file.contains("$")) {
                    continue;
                }
                Class<?> c = Class.forName(LayerCoverageTest.class.getPackageName() + "." + file.substring(0, file.length() - 6),
                        false, LayerCoverageTest.class.getClassLoader());
                if (ShapeTestSupport.class.isAssignableFrom(c) && !Modifier.isAbstract(c.getModifiers())) {
                    classes.add(c);
                }
            }
        }
        assertWithMessage("shape test classes in %s", dir).that(classes).isNotEmpty();
        return classes;
    }
}
