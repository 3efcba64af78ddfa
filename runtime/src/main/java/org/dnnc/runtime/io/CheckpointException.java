package org.dnnc.runtime.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A checkpoint file that cannot be trusted or does not fit what the caller expects: corrupt,
 * truncated, with missing, unexpected or differently shaped tensors, or with invalid metadata.
 * Also a checkpoint refused before it is written, because its tensors hold NaN or infinite
 * values. The message starts with the file's path and says what is wrong.
 */
public class CheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(Path file, String problem) {
        super(file + ": " + problem);
    }

    /**
     * What went wrong reading a checkpoint, in words: the exceptions of a missing or unreadable
     * file carry only the path, which reads as no reason at all.
     */
    public static String describe(IOException e) {
        if (e instanceof NoSuchFileException missing) {
            Path path = Path.of(missing.getFile());
            return missing.getFile() + ": no such file" + (path.isAbsolute() ? ""
                    : " (relative to the working directory " + Path.of("").toAbsolutePath() + ")");
        }
        if (e instanceof AccessDeniedException denied) {
            return denied.getFile() + ": permission denied";
        }
        return e.getMessage();
    }
}
