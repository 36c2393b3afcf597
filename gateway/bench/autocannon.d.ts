// The few autocannon fields the bench reads (the package ships no types).
declare module "autocannon" {
  interface Result {
    requests: { average: number; total: number };
    non2xx: number;
    errors: number;
  }
  export default function autocannon(options: {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    duration?: number;
  }): Promise<Result>;
}
