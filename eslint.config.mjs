import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'cdktf.out/**', '.ndc/**', 'coverage/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // Engine libraries stay inside their own stack folder so the CLI, model and policies load fast.
    files: ['cli/**/*.ts', 'constructs/**/*.ts', 'environments/**/*.ts', 'policies/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['cdktf', 'cdktf/*'], message: 'cdktf is imported only under stacks/terraform.', allowTypeImports: true },
          { group: ['@pulumi/*'], message: '@pulumi/* is imported only under stacks/kubernetes.', allowTypeImports: true },
          { group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'cdk-nag'], message: 'aws-cdk-lib is imported only under stacks/public-edge.', allowTypeImports: true },
        ],
      }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
