import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A throw-away PKI for the mutual-TLS tests, made with the openssl CLI (as an operator would):
 * our CA with a server and a client certificate, and a second, unrelated CA with a client
 * certificate the server must refuse. EC keys, because RSA generation is slow on small machines.
 */

export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** PKCS#12 of the good client certificate, modern encryption, passphrase below. */
  clientPfx: Buffer;
  clientPfxPassphrase: string;
  otherCaCert: string;
  badClientCert: string;
  badClientKey: string;
  remove(): void;
}

const CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
`;

export function createTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), "bankid-pki-"));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  writeFileSync(file("openssl.cnf"), CONFIG);

  const makeCa = (name: string, cn: string) => {
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.key`);
    openssl(
      "req",
      "-config",
      "openssl.cnf",
      "-new",
      "-x509",
      "-days",
      "2",
      "-key",
      `${name}.key`,
      "-subj",
      `/CN=${cn}`,
      "-extensions",
      "ca",
      "-out",
      `${name}.crt`,
    );
  };
  const makeLeaf = (name: string, cn: string, ca: string, profile: "server" | "client") => {
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.key`);
    openssl(
      "req",
      "-config",
      "openssl.cnf",
      "-new",
      "-key",
      `${name}.key`,
      "-subj",
      `/CN=${cn}`,
      "-out",
      `${name}.csr`,
    );
    openssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${ca}.crt`,
      "-CAkey",
      `${ca}.key`,
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      "openssl.cnf",
      "-extensions",
      profile,
      "-out",
      `${name}.crt`,
    );
  };

  makeCa("ca", "Vardtid Test BankID Root CA");
  makeLeaf("server", "127.0.0.1", "ca", "server");
  makeLeaf("client", "Vardtid test relying party", "ca", "client");
  makeCa("other-ca", "Unrelated Test CA");
  makeLeaf("bad-client", "Vardtid test relying party", "other-ca", "client");

  const passphrase = "test-only-passphrase";
  openssl(
    "pkcs12",
    "-export",
    "-inkey",
    "client.key",
    "-in",
    "client.crt",
    "-out",
    "client.p12",
    "-passout",
    `pass:${passphrase}`,
  );

  const read = (name: string) => readFileSync(file(name), "utf8");
  return {
    dir,
    caCert: read("ca.crt"),
    serverCert: read("server.crt"),
    serverKey: read("server.key"),
    clientCert: read("client.crt"),
    clientKey: read("client.key"),
    clientPfx: readFileSync(file("client.p12")),
    clientPfxPassphrase: passphrase,
    otherCaCert: read("other-ca.crt"),
    badClientCert: read("bad-client.crt"),
    badClientKey: read("bad-client.key"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
