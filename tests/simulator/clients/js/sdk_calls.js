// Drives Sage's own JS SDK (@intacct/intacct-sdk), unchanged, through every call the conformance test checks.
// Reads a plan (endpoints and credentials, JSON) on stdin; prints one JSON object: call name -> outcome.
// Run only as `node --require ./loopback.js sdk_calls.js`: without the preload it exits before any request.
"use strict";

const MARK = Symbol.for("pytest-intacct.loopback");
if (!globalThis[MARK]) {
  process.stderr.write("sdk_calls.js: the loopback preload is not active; refusing to send anything\n");
  process.exit(3);
}

const dns = require("dns");
const IA = require("@intacct/intacct-sdk");
// The SDK ships this function but leaves it out of its index.
const GetUserPermissions = require("@intacct/intacct-sdk/dist/Functions/Company/GetUserPermissions").default;

const Common = IA.Functions.Common;
const NewQuery = Common.NewQuery;

function config(target, overrides = {}) {
  const c = new IA.ClientConfig();
  c.endpointUrl = target.endpoint;
  c.senderId = target.sender_id;
  c.senderPassword = target.sender_password;
  c.companyId = target.company_id;
  c.userId = target.user_id;
  c.userPassword = target.user_password;
  return Object.assign(c, overrides);
}

function failure(error) {
  return { ok: false, error: { type: error.constructor.name, message: error.message, errors: error.errors || [] } };
}

async function outcome(action) {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    return failure(error);
  }
}

function page(result, idField) {
  return {
    listType: result.listType,
    count: result.count,
    totalCount: result.totalCount,
    numRemaining: result.numRemaining,
    hasResultId: Boolean(result.resultId),
    ids: result.data.map((row) => row[idField]),
  };
}

async function first(client, fn, requestConfig) {
  const response = await client.execute(fn, requestConfig);
  return response.getResult();
}

function lookupDns(name) {
  return new Promise((resolve) => dns.lookup(name, (error, address) => resolve(error ? failure(error) : { ok: true, value: address })));
}

async function main(plan) {
  const results = {};
  const session = await outcome(() => IA.SessionProvider.factory(config(plan.main)));
  results.session = session.ok
    ? {
        ok: true,
        value: {
          endpointUrl: session.value.endpointUrl,
          entityId: session.value.entityId,
          companyId: session.value.companyId,
          userId: session.value.userId,
          hasSessionId: Boolean(session.value.sessionId),
        },
      }
    : session;
  if (session.ok) {
    const client = new IA.OnlineClient(session.value);
    let resultId = "";
    results.readByQuery = await outcome(async () => {
      const fn = new Common.ReadByQuery();
      fn.objectName = "DEPARTMENT";
      fn.fields = ["RECORDNO", "DEPARTMENTID", "STATUS"];
      fn.pageSize = 2;
      const result = await first(client, fn);
      resultId = result.resultId;
      return page(result, "DEPARTMENTID");
    });
    results.readMore = await outcome(async () => {
      const fn = new Common.ReadMore();
      fn.resultId = resultId;
      return page(await first(client, fn), "DEPARTMENTID");
    });
    for (const [name, status] of [["readByQueryActive", "T"], ["readByQueryInactive", "F"]]) {
      results[name] = await outcome(async () => {
        const fn = new Common.ReadByQuery();
        fn.objectName = "EMPLOYEE";
        fn.fields = ["EMPLOYEEID", "STATUS"];
        fn.query = `STATUS = '${status}'`;
        return page(await first(client, fn), "EMPLOYEEID");
      });
    }
    results.query = await outcome(async () => {
      const fn = new NewQuery.Query();
      fn.selectFields = new NewQuery.QuerySelect.SelectBuilder()
        .addFields(["EMPLOYEEID", "MANAGER.EMPLOYEEID", "LOCATION.LOCATIONID"])
        .selects;
      fn.fromObject = "EMPLOYEE";
      fn.filter = new NewQuery.QueryFilter.Filter("STATUS").equalTo("active");
      fn.orderBy = new NewQuery.QueryOrderBy.OrderBuilder().addDescending("EMPLOYEEID").orders;
      const result = await first(client, fn);
      return { ...page(result, "EMPLOYEEID"), rows: result.data };
    });
    results.read = await outcome(async () => {
      const fn = new Common.Read();
      fn.objectName = "DEPARTMENT";
      fn.keys = [1, 3];
      fn.fields = ["RECORDNO", "DEPARTMENTID", "TITLE"];
      const result = await first(client, fn);
      return { ...page(result, "DEPARTMENTID"), titles: result.data.map((row) => row.TITLE) };
    });
    results.readByName = await outcome(async () => {
      const fn = new Common.ReadByName();
      fn.objectName = "DEPARTMENT";
      fn.names = ["210"];
      const result = await first(client, fn);
      return { ...page(result, "DEPARTMENTID"), titles: result.data.map((row) => row.TITLE) };
    });
    results.getUserPermissions = await outcome(async () => {
      const fn = new GetUserPermissions();
      fn.userId = plan.main.user_id;
      const result = await first(client, fn);
      const subscriptions = [].concat(result.data[0].appSubscription);
      return subscriptions.map((app) => ({
        application: app.applicationName,
        policies: [].concat(app.policies.policy).map((p) => [p.policyName, p.rights]),
      }));
    });
    results.lookup = await outcome(async () => {
      const fn = new Common.Lookup();
      fn.objectName = "EMPLOYEE";
      const type = (await first(client, fn)).data[0];
      return {
        name: type.$.Name,
        fields: [].concat(type.Fields.Field).map((field) => field.ID),
        relationships: [].concat(type.Relationships.Relationship || []).map((r) => r.OBJECTPATH),
      };
    });
    results.inspect = await outcome(async () => {
      const fn = new Common.Inspect();
      fn.objectName = "DEPARTMENT";
      const type = (await first(client, fn)).data[0];
      return { name: type.$.Name, fields: [].concat(type.Fields.Field) };
    });
  }

  const wrongSender = { ...plan.main, sender_password: "not-the-sender-password" };
  results.wrongSenderPassword = await outcome(() => IA.SessionProvider.factory(config(wrongSender)));
  const wrongUser = { ...plan.main, user_password: "not-the-user-password" };
  results.wrongUserPassword = await outcome(() => IA.SessionProvider.factory(config(wrongUser)));
  results.permissionDenied = await outcome(async () => {
    const denied = await IA.SessionProvider.factory(config(plan.denied));
    const fn = new Common.ReadByQuery();
    fn.objectName = "APADJUSTMENT";
    return page(await first(new IA.OnlineClient(denied), fn), "RECORDNO");
  });
  results.throttled = await outcome(() => IA.SessionProvider.factory(config(plan.throttled)));
  for (const [name, target, retries] of [["unavailable", plan.unavailable, 0], ["retried", plan.flaky, 1]]) {
    results[name] = await outcome(async () => {
      const requestConfig = new IA.RequestConfig();
      requestConfig.maxRetries = retries;
      const fn = new Common.ReadByQuery();
      fn.objectName = "LOCATION";
      fn.fields = ["LOCATIONID"];
      return page(await first(new IA.OnlineClient(config(target)), fn, requestConfig), "LOCATIONID");
    });
  }
  const byAddress = new URL(plan.main.endpoint);
  byAddress.hostname = "127.0.0.1";
  const loopbackAddress = { ...plan.main, endpoint: byAddress.toString() };
  results.loopbackAddressRefused = await outcome(() => IA.SessionProvider.factory(config(loopbackAddress)));
  results.otherNameRefused = await lookupDns("api.intacct.com");
  results.loopbackName = await lookupDns(new URL(plan.main.endpoint).hostname);
  return results;
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  main(JSON.parse(input)).then(
    (results) => process.stdout.write(JSON.stringify(results) + "\n"),
    (error) => {
      process.stderr.write(`sdk_calls.js: ${error.stack}\n`);
      process.exit(1);
    },
  );
});
