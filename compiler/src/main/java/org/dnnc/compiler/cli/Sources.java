package org.dnnc.compiler.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import org.dnnc.compiler.diag.SourceFile;

/** Reads source files, turning I/O failures into one-line messages. */
public final class Sources {
    private Sources() {}

    /** The file's text, or empty after reporting why it cannot be read. */
    static Optional<SourceFile> read(Console console, Path path) {
        return read(console::error, path);
    }

    /**
     * The file's text, or empty after printing {@code dnnc: error: cannot read PATH: why} to {@code
     * err}; for commands outside this package (the shipped {@code run}).
     */
    public static Optional<SourceFile> read(PrintWriter err, Path path) {
        return read(message -> {
            err.println("dnnc: error: " + message);
            err.flush();
        }, path);
    }

    private static Optional<SourceFile> read(Consumer<String> error, Path path) {
        try {
            if (Files.isDirectory(path)) {
                error.accept("cannot read " + path + ": it is a directory");
                return Optional.empty();
            }
            return Optional.of(SourceFile.read(path));
        } catch (NoSuchFileException e) {
            error.accept("cannot read " + path + ": no such file");
        } catch (MalformedInputException e) {
            error.accept("cannot read " + path + ": not UTF-8 text");
        } catch (IOException e) {
            error.accept("cannot read " + path + ": " + e.getMessage());
        }
        return Optional.empty();
    }
}
