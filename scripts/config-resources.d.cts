// Types for scripts/config-resources.cjs (a serverless variable resolver, so CommonJS).

export interface ConfigReferences {
  readonly secrets: string[];
  readonly parameters: string[];
  readonly topics: string[];
}

export type IamResource = string | { readonly 'Fn::Sub': string };

export interface IamStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: string;
  readonly Resource: IamResource[];
}

export interface StackFragment {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties: Record<string, unknown> }>;
}

export declare class ConfigResourceError extends Error {
  readonly problems: string[];
}

export declare const CONFIG_FILE: string;
export declare const FUNCTION_ROLES: string[];
export declare function configReferences(text: string, file: string): ConfigReferences;
export declare function referenceStatements(references: ConfigReferences): IamStatement[];
export declare function configPolicyFragment(serviceDir: string): StackFragment;
export declare function resources(): StackFragment;
export declare function wantsWideRolesFromIam(text: string): boolean;
export declare function wantsOrganizationNames(text: string): boolean;
