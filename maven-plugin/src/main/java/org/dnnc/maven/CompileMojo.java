package org.dnnc.maven;

import java.io.File;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.codehaus.plexus.build.BuildContext;

/**
 * Compiles {@code src/main/dnn/**}{@code /*.dnn} into Java sources under
 * {@code target/generated-sources/dnnc}, one class per network, and adds that folder to the
 * compile source roots. Only files that changed since the last build are compiled again.
 */
@Mojo(name = "compile", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public class CompileMojo extends AbstractDnncMojo {

    /** The folder of the {@code .dnn} files. */
    @Parameter(defaultValue = "${project.basedir}/src/main/dnn", required = true)
    private File sourceDirectory;

    /** Where the generated Java sources go, in package folders. */
    @Parameter(defaultValue = "${project.build.directory}/generated-sources/dnnc", required = true)
    private File outputDirectory;

    @Inject
    public CompileMojo(BuildContext buildContext) {
        super(buildContext);
    }

    @Override
    protected File sourceDirectory() {
        return sourceDirectory;
    }

    @Override
    protected File outputDirectory() {
        return outputDirectory;
    }

    @Override
    protected void addSourceRoot(String directory) {
        project.addCompileSourceRoot(directory);
    }

    @Override
    protected String goal() {
        return "compile";
    }
}
