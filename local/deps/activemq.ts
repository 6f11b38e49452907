import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brokerXml, LOG4J_PROPERTIES, type RedeliveryPolicy } from "./activemq-config";
import { freePort, isPortFree, PortInUseError } from "./ports";
import { stompConnects } from "./probes";
import { type LineSink, ManagedProcess, throwAwayDir } from "./process";
import { onPort, type ServerControl, startServer } from "./server";
import { requireCommand } from "./system";
import { ensurePkcs12KeyStore, ensureServerCertificate, type TlsFiles } from "./tls";

const ACTIVEMQ_HOME = "/usr/share/activemq";

/**
 * Jars Debian's ActiveMQ lacks for STOMP's `transformation: jms-map-json` (how a STOMP client
 * reads the statisticsBrokerPlugin's MapMessage replies): linked into `<dataDir>/lib` when the
 * Debian packages libxstream-java and libjettison-java are installed.
 */
const OPTIONAL_JARS = ["/usr/share/java/xstream.jar", "/usr/share/java/jettison.jar"];

export interface ActiveMqOptions {
  /** Default: a free port. */
  stompPort?: number;
  /**
   * Also open a `stomp+ssl` connector (on `stompTlsPort`), its certificate signed by a generated
   * CA (files under `<dataDir>/tls`, reused on later starts). The plain STOMP port stays open.
   */
  tls?: boolean;
  /** Default: a free port. Only with `tls`. */
  stompTlsPort?: number;
  /** Also open an OpenWire (JMS) connector on this port; default: none, nothing here needs it. */
  openwirePort?: number;
  /** Default: a throw-away temp dir. Holds the generated config, KahaDB and the log. */
  dataDir?: string;
  /** Default `battle`. */
  user?: string;
  /** Default: generated. */
  password?: string;
  /** Default: 5 redeliveries, 1 s then doubling, then `DLQ.<queue>`. */
  redelivery?: Partial<RedeliveryPolicy>;
  /** JVM heap ceiling in MiB (default 256). */
  heapMb?: number;
  onLine?: LineSink;
  /** Default 90 s: a JVM on a loaded 2-core machine can take a while. */
  startupTimeoutMs?: number;
}

export interface ActiveMq extends ServerControl {
  host: string;
  stompPort: number;
  /** The `stomp+ssl` port, with `tls`. */
  stompTlsPort?: number;
  /** With `tls`: the CA clients verify the broker against (`caFile`), and the server's own files. */
  tls?: TlsFiles;
  openwirePort?: number;
  user: string;
  password: string;
  dataDir: string;
  /** `stomp://127.0.0.1:<port>` (no credentials). */
  url: string;
  /** The generated broker configuration. */
  configFile: string;
}

export function startActiveMq(options: ActiveMqOptions = {}): Promise<ActiveMq> {
  requireCommand("java", "default-jre-headless");
  if (!existsSync(join(ACTIVEMQ_HOME, "bin", "activemq.jar"))) requireCommand("activemq", "activemq");
  const dataDir = options.dataDir ?? throwAwayDir("activemq");
  return onPort(options.stompPort, (port) => startOn(port, dataDir, options));
}

async function startOn(stompPort: number, dataDir: string, options: ActiveMqOptions): Promise<ActiveMq> {
  const confDir = join(dataDir, "conf");
  const brokerDataDir = join(dataDir, "data");
  const tmpDir = join(dataDir, "tmp");
  for (const dir of [confDir, brokerDataDir, tmpDir]) mkdirSync(dir, { recursive: true });
  const configFile = join(confDir, "activemq.xml");
  const logFile = join(dataDir, "activemq.log");
  const user = options.user ?? "battle";
  const password = options.password ?? randomBytes(18).toString("base64url");
  const openwirePort = options.openwirePort;
  const tlsDir = join(dataDir, "tls");
  const tls = options.tls ? await ensureServerCertificate(tlsDir) : undefined;
  const keyStore = tls ? await ensurePkcs12KeyStore(tlsDir, tls) : undefined;
  const stompTlsPort = keyStore ? (options.stompTlsPort ?? (await freePort())) : undefined;
  const xml = brokerXml({
    brokerName: "local",
    dataDir: brokerDataDir,
    stompPort,
    openwirePort,
    user,
    password,
    redelivery: { maxRedeliveries: 5, initialDelayMs: 1000, backOffMultiplier: 2, ...options.redelivery },
    stompTls:
      keyStore && stompTlsPort !== undefined
        ? { port: stompTlsPort, keyStoreFile: keyStore.file, keyStorePassword: keyStore.password }
        : undefined,
  });
  const trustCa = tls ? { ca: readFileSync(tls.caFile, "utf8"), servername: "localhost" } : undefined;
  const broker = new ManagedProcess({
    name: "activemq",
    command: "java",
    args: [
      `-Xms64m`,
      `-Xmx${options.heapMb ?? 256}m`,
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      "-Djava.awt.headless=true",
      `-Djava.io.tmpdir=${tmpDir}`,
      `-Dactivemq.home=${ACTIVEMQ_HOME}`,
      `-Dactivemq.base=${dataDir}`,
      `-Dactivemq.conf=${confDir}`,
      `-Dactivemq.data=${brokerDataDir}`,
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "-jar",
      join(ACTIVEMQ_HOME, "bin", "activemq.jar"),
      "start",
      `xbean:file:${configFile}`,
    ],
    cwd: dataDir,
    logFile,
    onLine: options.onLine,
  });
  const what = `ActiveMQ (STOMP) on port ${stompPort}${stompTlsPort ? ` and ${stompTlsPort} (TLS)` : ""}`;
  const control = await startServer({
    what,
    port: stompPort,
    process: broker,
    logFile,
    beforeStart: async () => {
      if (stompTlsPort !== undefined && !(await isPortFree(stompTlsPort)))
        throw new PortInUseError(stompTlsPort, `${what}, its stomp+ssl connector`);
      linkOptionalJars(join(dataDir, "lib"));
      writeFileSync(configFile, xml, { mode: 0o600 });
      writeFileSync(join(confDir, "log4j.properties"), LOG4J_PROPERTIES);
    },
    ready: async () =>
      (await stompConnects(stompPort, user, password)) &&
      (stompTlsPort === undefined || (await stompConnects(stompTlsPort, user, password, trustCa))),
    timeoutMs: options.startupTimeoutMs ?? 90_000,
    intervalMs: 500,
  });
  return Object.assign(control, {
    host: "127.0.0.1",
    stompPort,
    stompTlsPort,
    tls,
    openwirePort,
    user,
    password,
    dataDir,
    url: `stomp://127.0.0.1:${stompPort}`,
    configFile,
  });
}

function linkOptionalJars(libDir: string): void {
  mkdirSync(libDir, { recursive: true });
  for (const jar of OPTIONAL_JARS) {
    const link = join(libDir, jar.slice(jar.lastIndexOf("/") + 1));
    rmSync(link, { force: true });
    if (existsSync(jar)) symlinkSync(jar, link);
  }
}
