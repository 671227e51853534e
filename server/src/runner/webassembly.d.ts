// The JS WebAssembly API as Node 20 provides it. tsconfig uses lib ES2023 without DOM (where TypeScript
// declares this namespace), so the subset the project uses is declared here.
declare namespace WebAssembly {
    type ImportValue = ExportValue | number | bigint;
    type ExportValue = Function | Global | Memory | Table;
    type Exports = Record<string, ExportValue>;
    type ModuleImports = Record<string, ImportValue>;
    type Imports = Record<string, ModuleImports>;
    type ImportExportKind = 'function' | 'global' | 'memory' | 'table' | 'tag';
    type ValueType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'anyfunc' | 'externref' | 'funcref';
    type BufferSource = ArrayBufferView | ArrayBuffer;

    interface ModuleExportDescriptor { kind: ImportExportKind; name: string }
    interface ModuleImportDescriptor { kind: ImportExportKind; module: string; name: string }

    interface Module {}
    var Module: {
        prototype: Module;
        new (bytes: BufferSource): Module;
        customSections(moduleObject: Module, sectionName: string): ArrayBuffer[];
        exports(moduleObject: Module): ModuleExportDescriptor[];
        imports(moduleObject: Module): ModuleImportDescriptor[];
    };

    interface Instance { readonly exports: Exports }
    var Instance: { prototype: Instance; new (module: Module, importObject?: Imports): Instance };

    interface GlobalDescriptor { mutable?: boolean; value: ValueType }
    interface Global { value: any; valueOf(): any }
    var Global: { prototype: Global; new (descriptor: GlobalDescriptor, v?: any): Global };

    interface MemoryDescriptor { initial: number; maximum?: number; shared?: boolean }
    interface Memory { readonly buffer: ArrayBuffer; grow(delta: number): number }
    var Memory: { prototype: Memory; new (descriptor: MemoryDescriptor): Memory };

    interface TableDescriptor { element: 'anyfunc' | 'externref'; initial: number; maximum?: number }
    interface Table { readonly length: number; get(index: number): any; grow(delta: number, value?: any): number; set(index: number, value?: any): void }
    var Table: { prototype: Table; new (descriptor: TableDescriptor, value?: any): Table };

    interface CompileError extends Error {}
    var CompileError: { prototype: CompileError; new (message?: string): CompileError };
    interface LinkError extends Error {}
    var LinkError: { prototype: LinkError; new (message?: string): LinkError };
    interface RuntimeError extends Error {}
    var RuntimeError: { prototype: RuntimeError; new (message?: string): RuntimeError };

    interface WebAssemblyInstantiatedSource { instance: Instance; module: Module }
    function compile(bytes: BufferSource): Promise<Module>;
    function instantiate(bytes: BufferSource, importObject?: Imports): Promise<WebAssemblyInstantiatedSource>;
    function instantiate(moduleObject: Module, importObject?: Imports): Promise<Instance>;
    function validate(bytes: BufferSource): boolean;
}
