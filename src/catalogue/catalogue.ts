import type { InputValidator } from './input-validator.ts';
import type { ToolDefinition, ToolkitFile } from './schema.ts';
import { ToolSearch } from './search.ts';

export interface LoadedToolkit {
  definition: ToolkitFile;
  file: string;
  validators: Map<string, InputValidator>;
}

export interface CatalogueTool {
  toolkit: ToolkitFile;
  tool: ToolDefinition;
  validate: InputValidator;
}

/** The loaded, validated catalogue: immutable for the life of the process, indexed once. */
export class Catalogue {
  readonly toolkits: ToolkitFile[];
  private readonly toolkitsBySlug = new Map<string, ToolkitFile>();
  private readonly toolsBySlug = new Map<string, CatalogueTool>();

  constructor(loaded: LoadedToolkit[]) {
    this.toolkits = loaded.map((t) => t.definition);
    for (const { definition, validators } of loaded) {
      this.toolkitsBySlug.set(definition.slug, definition);
      for (const tool of definition.tools) {
        this.toolsBySlug.set(tool.slug, { toolkit: definition, tool, validate: validators.get(tool.slug)! });
      }
    }
  }

  /** Toolkit slugs are case-insensitive on the wire (Composio's docs use `GITHUB`). */
  toolkit(slug: string): ToolkitFile | undefined {
    return this.toolkitsBySlug.get(slug.toLowerCase());
  }

  tool(slug: string): CatalogueTool | undefined {
    return this.toolsBySlug.get(slug.toUpperCase());
  }

  private toolSearch: ToolSearch | undefined;

  /** The tool search index, built on first use (a process that never searches never pays for it). */
  get search(): ToolSearch {
    return (this.toolSearch ??= new ToolSearch(this.toolkits));
  }

  get toolCount(): number {
    return this.toolsBySlug.size;
  }
}
