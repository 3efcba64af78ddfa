package org.dnnc.runtime.cuda;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds shared libraries by file name in the folders the dynamic linker searches, without loading
 * them: so that a missing library can be named before JavaCPP's JNI library fails to load with a
 * less direct message. A library found nowhere here may still load (the linker cache can hold
 * folders this does not read), so this only explains a failure, it never decides one.
 */
final class NativeLibraries {

    private static final List<String> STANDARD = List.of(
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
            "/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/lib/wsl/lib");

    private final List<Path> folders;

    NativeLibraries(List<Path> folders) {
        this.folders = List.copyOf(folders);
    }

    /** The folders of {@code LD_LIBRARY_PATH}, {@code java.library.path}, {@code /etc/ld.so.conf.d} and the usual ones. */
    static NativeLibraries system() {
        Set<String> dirs = new LinkedHashSet<>();
        addPathList(dirs, System.getenv("LD_LIBRARY_PATH"));
        addPathList(dirs, System.getProperty("java.library.path"));
        dirs.addAll(linkerConfigFolders(Path.of("/etc/ld.so.conf.d")));
        dirs.addAll(STANDARD);
        List<Path> paths = new ArrayList<>();
        for (String d : dirs) {
            paths.add(Path.of(d));
        }
        return new NativeLibraries(paths);
    }

    /** The folders searched, in order. */
    List<Path> folders() {
        return folders;
    }

    /** Whether a file named {@code fileName} is in one of the folders. */
    boolean find(String fileName) {
        for (Path folder : folders) {
            if (Files.exists(folder.resolve(fileName))) {
                return true;
            }
        }
        return false;
    }

    private static void addPathList(Set<String> dirs, String list) {
        if (list == null) {
            return;
        }
        for (String d : list.split(":")) {
            if (!d.isBlank()) {
                dirs.add(d);
            }
        }
    }

    /** The absolute folder lines of the linker's configuration files (where WSL and CUDA packages add theirs). */
    private static List<String> linkerConfigFolders(Path confDir) {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(confDir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(confDir, "*.conf")) {
            for (Path f : files) {
                for (String line : Files.readAllLines(f)) {
                    String t = line.strip();
                    if (t.startsWith("/")) {
                        out.add(t);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // An unreadable configuration only narrows the search, which only words the message.
        }
        return out;
    }
}
