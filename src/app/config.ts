import type * as vscode from 'vscode';
import type { Logger } from '../platform/logger';
import { VClusterYamlDiagnostics } from '../platform/vclusterYaml';
import { loadBundledSchema, type JsonSchema } from '../vcluster/config/schema';
import type { VClusterConfigValidator } from '../vcluster/config/validate';
import { CONFIG_SCHEME, ConfigDocumentProvider } from '../documents/configDocuments';
import type { LazyServices } from './lazyServices';

// vcluster.yaml support: the bundled schema (read on first use), validators compiled on first use, diagnostics, and the
// read-only documents of deployed configurations.

export interface ConfigSupport {
  readonly bundledSchema: () => JsonSchema;
  readonly vclusterYaml: VClusterYamlDiagnostics;
  readonly configDocs: ConfigDocumentProvider;
}

export function configSupport(extensionPath: string, services: LazyServices, logger: Logger): ConfigSupport & vscode.Disposable {
  let bundled: JsonSchema | undefined;
  const bundledSchema = () => (bundled ??= loadBundledSchema(extensionPath));
  const validators = new WeakMap<JsonSchema, VClusterConfigValidator>();
  const validatorFor = async (schema: JsonSchema) => {
    let v = validators.get(schema);
    if (!v) {
      const { VClusterConfigValidator: V } = await import('../vcluster/config/validate');
      v = new V(schema);
      validators.set(schema, v);
    }
    return v;
  };
  const configDocs = new ConfigDocumentProvider(async (a) => (await services.get()).configText(a.ref, a.kind));
  // A deployed configuration is checked against the bundled schema, with a note when its chart is another version (the
  // schema stored in the Helm release is cluster data and never run). Cached per document.
  const deployedSchemas = new Map<string, Promise<{ schema: JsonSchema; note?: string } | undefined>>();
  const schemaFor = (uri: vscode.Uri) => {
    const a = configDocs.addressOf(uri);
    if (!a || a.kind !== 'values') return Promise.resolve(undefined);
    let p = deployedSchemas.get(uri.toString());
    if (!p) {
      p = services
        .get()
        .then((s) => s.helmRelease(a.ref))
        .then(async (release) => {
          const { schemaForVersion } = await import('../commands/valuesFiles');
          return schemaForVersion(bundledSchema, release?.chartVersion);
        });
      deployedSchemas.set(uri.toString(), p);
    }
    return p;
  };
  const vclusterYaml = new VClusterYamlDiagnostics({
    logger,
    validator: () => validatorFor(bundledSchema()),
    validatorFor,
    schemes: [CONFIG_SCHEME],
    schemaFor,
  });
  return {
    bundledSchema,
    vclusterYaml,
    configDocs,
    dispose: () => {
      vclusterYaml.dispose();
      configDocs.dispose();
    },
  };
}
