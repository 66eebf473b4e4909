// Preload (node --require): resolves exactly one host name, INTACCT_LOOPBACK_NAME, to 127.0.0.1 inside this
// process, and refuses every other lookup, so the SDK under test can reach nothing but the local simulator.
// Fails closed: without the variable no name resolves at all. /etc/hosts is never touched.
"use strict";
const dns = require("dns");

const NAME = (process.env.INTACCT_LOOPBACK_NAME || "").toLowerCase();
const MARK = Symbol.for("pytest-intacct.loopback");

function refusal(hostname) {
  const error = new Error(`loopback preload: refusing to resolve ${hostname}`);
  error.code = "ENOTFOUND";
  error.hostname = hostname;
  return error;
}

function answer(hostname) {
  return NAME !== "" && String(hostname).toLowerCase() === NAME ? "127.0.0.1" : null;
}

function lookup(hostname, options, callback) {
  if (typeof options === "function") {
    callback = options;
    options = {};
  }
  const address = answer(hostname);
  process.nextTick(() => {
    if (address === null) {
      callback(refusal(hostname));
    } else if (options && options.all) {
      callback(null, [{ address, family: 4 }]);
    } else {
      callback(null, address, 4);
    }
  });
}

async function lookupPromise(hostname, options) {
  const address = answer(hostname);
  if (address === null) throw refusal(hostname);
  return options && options.all ? [{ address, family: 4 }] : { address, family: 4 };
}

dns.lookup = lookup;
dns.promises.lookup = lookupPromise;
globalThis[MARK] = NAME;
