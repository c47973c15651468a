package dev.burst.container;

import dev.burst.container.config.BurstConfig;
import dev.burst.container.config.ConfigException;
import dev.burst.container.config.ConfigLoader;
import dev.burst.container.master.Master;
import dev.burst.container.proxy.Proxy;
import dev.burst.container.worker.Worker;

/**
 * Entry point of every burst process. The role is the first argument, so {@code ps} shows who is who:
 * {@code ... dev.burst.container.Main master}, {@code ... Main proxy}, {@code ... Main worker game 2}.
 */
public final class Main {

    private Main() {
    }

    /**
     * @param args {@code master}, {@code proxy}, or {@code worker <group> <slot>}
     */
    public static void main(String[] args) {
        if (args.length == 0) {
            usage();
        }
        long pid = ProcessHandle.current().pid();
        switch (args[0]) {
            case "master" -> {
                Logs.setUp("master pid " + pid);
                System.exit(Master.create(config()).run());
            }
            case "proxy" -> {
                Logs.setUp("proxy pid " + pid);
                System.exit(Proxy.create(config()).run());
            }
            case "worker" -> {
                if (args.length != 3) {
                    usage();
                }
                Logs.setUp("worker " + args[1] + "#" + args[2] + " pid " + pid);
                System.exit(Worker.create(config(), args[1], Integer.parseInt(args[2])).run());
            }
            default -> usage();
        }
    }

    private static BurstConfig config() {
        try {
            return ConfigLoader.load();
        } catch (ConfigException e) {
            System.getLogger("burst").log(System.Logger.Level.ERROR, "configuration error: " + e.getMessage());
            ExitCode.CONFIG_ERROR.exit();
            throw e;
        }
    }

    private static void usage() {
        System.err.println("usage: Main master | proxy | worker <group> <slot>   (started by bin/burst)");
        ExitCode.CONFIG_ERROR.exit();
    }
}
