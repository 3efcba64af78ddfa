package org.dnnc.runtime;

import static com.google.common.truth.Truth.assertWithMessage;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The runtime's dependencies bring OpenBLAS and JavaCPP natives for the five desktop and server
 * platforms (through {@code openblas-platform}), so an application built on Linux also runs on
 * macOS, Windows and ARM. The test classpath is what Maven resolved from the runtime's POM; a build
 * with {@code -Djavacpp.platform=...} keeps one platform on purpose, and the test then checks that
 * one only.
 */
class PlatformNativesTest {
    private static final List<String> PLATFORMS =
            List.of("linux-x86_64", "linux-arm64", "macosx-x86_64", "macosx-arm64", "windows-x86_64");

    @Test
    void everyDesktopPlatformHasItsNatives() {
        List<String> jars = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(p -> new File(p).getName())
                .toList();
        String chosen = System.getProperty("javacpp.platform");
        for (String platform : chosen == null ? PLATFORMS : List.of(chosen)) {
            for (String artifact : List.of("openblas", "javacpp")) {
                assertWithMessage("%s natives for %s on the classpath %s", artifact, platform, jars)
                        .that(jars.stream().anyMatch(j -> j.startsWith(artifact + "-") && j.endsWith("-" + platform + ".jar")))
                        .isTrue();
            }
        }
    }
}
