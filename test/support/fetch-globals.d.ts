// The generated client in clients/typescript is type-checked there against the DOM lib. The root
// project, which compiles it too through test/support/client.ts, has only Node's types, and they
// lack this global alias of the fetch API.
type BodyInit = NonNullable<RequestInit['body']>;
