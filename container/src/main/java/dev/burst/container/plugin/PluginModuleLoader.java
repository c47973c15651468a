package dev.burst.container.plugin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import org.jboss.modules.DependencySpec;
import org.jboss.modules.JDKModuleFinder;
import org.jboss.modules.LocalDependencySpecBuilder;
import org.jboss.modules.LocalLoader;
import org.jboss.modules.Module;
import org.jboss.modules.ModuleDependencySpecBuilder;
import org.jboss.modules.ModuleFinder;
import org.jboss.modules.ModuleLoadException;
import org.jboss.modules.ModuleLoader;
import org.jboss.modules.ModuleSpec;
import org.jboss.modules.Resource;
import org.jboss.modules.ResourceLoaderSpec;
import org.jboss.modules.ResourceLoaders;

/**
 * The jboss-modules loader of one plugin generation in one worker: one module per plugin, named
 * {@code plugin.<name>}, that sees the JDK ({@code java.se}), the plugin API and MicroProfile Config API
 * packages of the container, and its own jars; nothing else of the container.
 *
 * <p>Dropping a generation = {@link #close()} (closes the jar files) and forgetting this loader.
 */
final class PluginModuleLoader extends ModuleLoader implements AutoCloseable {

    /** Packages of the container a plugin may see: the API it compiles against. */
    static final Set<String> API_PATHS = Set.of(
            "dev/burst/api",
            "org/eclipse/microprofile/config",
            "org/eclipse/microprofile/config/spi",
            "org/eclipse/microprofile/config/inject");

    private final Map<String, List<String>> pluginFiles;
    private final List<JarFile> opened = new ArrayList<>();

    /**
     * @param pluginFiles plugin name to its cached jar paths
     */
    PluginModuleLoader(Map<String, List<String>> pluginFiles) {
        super(new ModuleFinder[] {JDKModuleFinder.getInstance()});
        this.pluginFiles = Map.copyOf(pluginFiles);
    }

    /**
     * @param plugin a plugin name given to the constructor
     * @return its module
     * @throws ModuleLoadException when the module cannot be defined (unreadable jar, ...)
     */
    Module load(String plugin) throws ModuleLoadException {
        return loadModule(moduleName(plugin));
    }

    static String moduleName(String plugin) {
        return "plugin." + plugin;
    }

    @Override
    protected ModuleSpec findModule(String name) throws ModuleLoadException {
        if (!name.startsWith("plugin.")) {
            return super.findModule(name);
        }
        List<String> files = pluginFiles.get(name.substring("plugin.".length()));
        if (files == null) {
            return null;
        }
        ModuleSpec.Builder spec = ModuleSpec.build(name);
        for (String file : files) {
            JarFile jar;
            try {
                jar = new JarFile(file);
            } catch (IOException e) {
                throw new ModuleLoadException("cannot open " + file + ": " + e.getMessage(), e);
            }
            synchronized (opened) {
                opened.add(jar);
            }
            spec.addResourceRoot(ResourceLoaderSpec.createResourceLoaderSpec(ResourceLoaders.createJarResourceLoader(jar)));
        }
        spec.addDependency(new ModuleDependencySpecBuilder().setName("java.se").build());
        spec.addDependency(new LocalDependencySpecBuilder()
                .setLocalLoader(new ApiLoader(PluginModuleLoader.class.getClassLoader()))
                .setLoaderPaths(API_PATHS)
                .build());
        spec.addDependency(DependencySpec.OWN_DEPENDENCY);
        return spec.create();
    }

    /** Closes every jar this loader opened; the generation's modules must not be used after. */
    @Override
    public void close() {
        List<JarFile> jars;
        synchronized (opened) {
            jars = List.copyOf(opened);
            opened.clear();
        }
        UncheckedIOException failure = null;
        for (JarFile jar : jars) {
            try {
                jar.close();
            } catch (IOException e) {
                failure = new UncheckedIOException("cannot close " + jar.getName(), e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "plugin loader " + pluginFiles.keySet();
    }

    /** Lends classes of the API packages from the container's own class loader; no resources. */
    private record ApiLoader(ClassLoader parent) implements LocalLoader {
        @Override
        public Class<?> loadClassLocal(String name, boolean resolve) {
            try {
                return Class.forName(name, resolve, parent);
            } catch (ClassNotFoundException e) {
                return null;
            }
        }

        @Override
        public Package loadPackageLocal(String name) {
            return parent.getDefinedPackage(name);
        }

        @Override
        public List<Resource> loadResourceLocal(String name) {
            return List.of();
        }
    }
}
