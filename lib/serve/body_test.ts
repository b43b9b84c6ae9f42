import { deepStrictEqual, ok, rejects, strictEqual, throws } from "node:assert/strict";
import {
  CSV_TYPES,
  csvText,
  JSON_TYPES,
  mediaType,
  parseCsvInput,
  parseJsonBody,
  predictInput,
  readBody,
  requireMediaType,
} from "./body.ts";
import { HttpError } from "./errors.ts";

const enc = new TextEncoder();

function httpError(code: string, field?: string) {
  return (e: unknown) => {
    ok(e instanceof HttpError, String(e));
    strictEqual(e.code, code, e.message);
    if (field !== undefined) strictEqual(e.field, field);
    return true;
  };
}

function post(body: BodyInit | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) {
  return new Request("http://x/", { method: "POST", body, headers });
}

Deno.test("mediaType / requireMediaType: parameters and case ignored; 415 otherwise", () => {
  strictEqual(mediaType("Text/CSV; charset=utf-8"), "text/csv");
  strictEqual(mediaType(null), "");
  strictEqual(requireMediaType("application/json; charset=UTF-8", JSON_TYPES), "application/json");
  throws(() => requireMediaType("text/plain", JSON_TYPES), httpError("UNSUPPORTED_MEDIA_TYPE"));
  throws(() => requireMediaType(undefined, CSV_TYPES), (e: unknown) => {
    ok(e instanceof HttpError && e.status === 415 && /no Content-Type/.test(e.message));
    return true;
  });
});

Deno.test("readBody: reads the body; a declared Content-Length over the limit is refused unread", async () => {
  deepStrictEqual(
    await readBody(post("hello"), { maxBytes: 5, timeoutMs: 1000 }),
    enc.encode("hello"),
  );
  await rejects(
    readBody(post("x", { "content-length": "6" }), { maxBytes: 5, timeoutMs: 1000 }),
    httpError("BODY_TOO_LARGE"),
  );
});

Deno.test("readBody: a streamed body is cut off as soon as it passes the limit", async () => {
  let pulled = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(c) {
      pulled++;
      c.enqueue(new Uint8Array(100));
    },
  });
  await rejects(
    readBody(post(endless), { maxBytes: 250, timeoutMs: 5000 }),
    httpError("BODY_TOO_LARGE"),
  );
  ok(pulled <= 5, `pulled ${pulled} chunks`);
});

Deno.test("readBody: a body that stalls answers 408", async () => {
  const stalled = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(enc.encode("{"));
    },
  });
  await rejects(
    readBody(post(stalled), { maxBytes: 1000, timeoutMs: 30 }),
    httpError("REQUEST_TIMEOUT"),
  );
});

Deno.test("readBody: chunks are joined", async () => {
  const chunks = ReadableStream.from([enc.encode("ab"), enc.encode("cd")]);
  deepStrictEqual(
    await readBody(post(chunks), { maxBytes: 10, timeoutMs: 1000 }),
    enc.encode("abcd"),
  );
});

Deno.test("parseJsonBody: malformed JSON and bad UTF-8 are 400 MALFORMED_JSON", () => {
  deepStrictEqual(parseJsonBody(enc.encode('{"a":[1]}')), { a: [1] });
  throws(() => parseJsonBody(enc.encode('{"a":')), httpError("MALFORMED_JSON"));
  throws(() => parseJsonBody(new Uint8Array([0x7b, 0xff, 0x7d])), httpError("MALFORMED_JSON"));
  throws(() => parseJsonBody(new Uint8Array(0)), httpError("MALFORMED_JSON"));
});

Deno.test("predictInput: object = one, array = batch; wrong shapes 400, too many 413", () => {
  deepStrictEqual(predictInput({ a: 1 }, 2), { kind: "one", record: { a: 1 } });
  deepStrictEqual(predictInput([{ a: 1 }], 2), { kind: "batch", records: [{ a: 1 }] });
  for (const v of [null, 3, "x", true]) throws(() => predictInput(v, 2), httpError("INVALID_BODY"));
  throws(() => predictInput([], 2), httpError("INVALID_BODY"));
  throws(() => predictInput([{}, 5], 2), httpError("INVALID_BODY", "[1]"));
  throws(() => predictInput([{}, [], {}], 2), httpError("TOO_MANY_RECORDS"));
});

Deno.test("parseCsvInput: header + rows; empty, header-only, ragged, unterminated are 400; too many 413", () => {
  deepStrictEqual(parseCsvInput("a,b\r\n1,2\n3,4\n", 5), {
    header: ["a", "b"],
    rows: [["1", "2"], ["3", "4"]],
    lines: [2, 3],
  });
  throws(() => parseCsvInput("", 5), httpError("MALFORMED_CSV"));
  throws(() => parseCsvInput("a,b\n", 5), httpError("MALFORMED_CSV"));
  throws(() => parseCsvInput("a,b\n1,2\n3\n", 5), (e: unknown) => {
    ok(e instanceof HttpError && e.code === "MALFORMED_CSV" && /line 3/.test(e.message), String(e));
    return true;
  });
  throws(() => parseCsvInput('a,b\n1,"2\n', 5), httpError("MALFORMED_CSV"));
  throws(() => parseCsvInput("a\n1\n2\n3\n", 2), httpError("TOO_MANY_RECORDS"));
  // Uploads are comma CSV: a ';' or tab file says so.
  for (const [text, says] of [["a;b\n1;2\n", "';'-separated"], ["a\tb\n1\t2\n", "tab-separated"]]) {
    throws(() => parseCsvInput(text, 5), (e: unknown) => {
      ok(e instanceof HttpError && e.code === "MALFORMED_CSV", String(e));
      ok(e.message.includes(says) && e.message.includes("line 1"), e.message);
      return true;
    });
  }
});

Deno.test("csvText: raw text, or the file part of a multipart form", async () => {
  strictEqual(await csvText(enc.encode("a\n1\n"), "text/csv"), "a\n1\n");
  const form = new FormData();
  form.append("note", "hi");
  form.append("file", new File(["a\n2\n"], "in.csv", { type: "text/csv" }));
  const req = new Request("http://x/", { method: "POST", body: form });
  const bytes = new Uint8Array(await req.arrayBuffer());
  strictEqual(await csvText(bytes, req.headers.get("content-type")), "a\n2\n");
  const noFile = new FormData();
  noFile.append("note", "hi");
  const req2 = new Request("http://x/", { method: "POST", body: noFile });
  await rejects(
    csvText(new Uint8Array(await req2.arrayBuffer()), req2.headers.get("content-type")),
    httpError("INVALID_BODY", "file"),
  );
  await rejects(
    csvText(enc.encode("junk"), "multipart/form-data; boundary=zz"),
    httpError("INVALID_BODY"),
  );
});
